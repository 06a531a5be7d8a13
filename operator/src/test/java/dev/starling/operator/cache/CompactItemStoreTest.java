package dev.starling.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactItemStoreTest {

  private static Deployment deployment(String name, String image) {
    FieldsV1 own = new FieldsV1();
    own.setAdditionalProperty("f:spec", Map.of("f:template", Map.of()));
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .withResourceVersion("7")
        .addToLabels(Names.LABEL_VERSION, "v1")
        .addNewManagedField()
        .withManager(Names.MANAGED_BY)
        .withOperation("Apply")
        .withFieldsType("FieldsV1")
        .withFieldsV1(own)
        .endManagedField()
        .addToManagedFields(
            new ManagedFieldsEntryBuilder()
                .withManager("kube-controller-manager")
                .withOperation("Update")
                .build())
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("runtime")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withReadyReplicas(2)
        .endStatus()
        .build();
  }

  @Test
  void readsBackWhatWasPutMinusOtherManagersEntries() {
    var store = new CompactItemStore.OwnFields<Deployment>();
    Deployment d = deployment("iris-v1", "starling/runtime:1");
    assertThat(store.put(store.getKey(d), d)).isNull();

    Deployment cached = store.get("ns/iris-v1");
    assertThat(cached).isEqualTo(d).isNotSameAs(d);
    assertThat(cached.getMetadata().getManagedFields())
        .singleElement()
        .satisfies(
            e -> assertThat(e.getFieldsV1().getAdditionalProperties()).containsKey("f:spec"));
    assertThat(cached.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("starling/runtime:1");
    assertThat(cached.getStatus().getReadyReplicas()).isEqualTo(2);
  }

  @Test
  void keepsTheJsonDeflated() {
    byte[] json = ("{\"items\": [" + "{\"name\": \"runtime\"},".repeat(200) + "{}]}").getBytes();
    assertThat(CompactItemStore.deflate(json).length).isLessThan(json.length / 4);
  }

  @Test
  void everyReaderGetsItsOwnCopy() {
    var store = new CompactItemStore.OwnFields<Deployment>();
    Deployment d = deployment("iris-v1", "starling/runtime:1");
    store.put(store.getKey(d), d);
    store.get("ns/iris-v1").getMetadata().getLabels().put(Names.LABEL_VERSION, "changed");
    assertThat(store.get("ns/iris-v1").getMetadata().getLabels())
        .containsEntry(Names.LABEL_VERSION, "v1");
  }

  @Test
  void putReturnsThePreviousObjectAndRemoveTheLastOne() {
    var store = new CompactItemStore.OwnFields<Deployment>();
    store.put("ns/iris-v1", deployment("iris-v1", "starling/runtime:1"));
    Deployment previous = store.put("ns/iris-v1", deployment("iris-v1", "starling/runtime:2"));
    assertThat(previous.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("starling/runtime:1");
    store.put("ns/iris-v2", deployment("iris-v2", "starling/runtime:1"));
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.keySet()).containsExactlyInAnyOrder("ns/iris-v1", "ns/iris-v2");
    assertThat(store.values())
        .extracting(x -> x.getMetadata().getName())
        .containsExactlyInAnyOrder("iris-v1", "iris-v2");
    assertThat(store.remove("ns/iris-v1").getMetadata().getName()).isEqualTo("iris-v1");
    assertThat(store.get("ns/iris-v1")).isNull();
    assertThat(store.remove("ns/none")).isNull();
  }

  @Test
  void podsAreTrimmedBeforeTheyAreStored() {
    var store = new CompactItemStore.Pods();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("iris-v1-abc")
            .withNamespace("ns")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("runtime")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPodIP("10.0.0.7")
            .addNewContainerStatus()
            .withName("runtime")
            .withRestartCount(3)
            .endContainerStatus()
            .endStatus()
            .build();
    store.put(store.getKey(pod), pod);
    Pod cached = store.get("ns/iris-v1-abc");
    assertThat(cached.getSpec()).isNull();
    assertThat(cached.getStatus().getPodIP()).isNull();
    assertThat(cached.getStatus().getContainerStatuses().get(0).getRestartCount()).isEqualTo(3);
  }
}
