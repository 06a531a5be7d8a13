package dev.starling.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PruningItemStoreTest {
  private static ManagedFieldsEntry entry(String manager, String operation) {
    FieldsV1 fields = new FieldsV1();
    fields.setAdditionalProperty("f:data", Map.of("f:runtime.yaml", Map.of()));
    return new ManagedFieldsEntryBuilder()
        .withManager(manager)
        .withOperation(operation)
        .withApiVersion("v1")
        .withFieldsType("FieldsV1")
        .withFieldsV1(fields)
        .build();
  }

  private static ConfigMap configMap() {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("iris-v1")
        .withNamespace("ns")
        .withResourceVersion("7")
        .withManagedFields(
            entry("kube-controller-manager", "Update"),
            entry(Names.MANAGED_BY, "Apply"),
            entry("kubectl-edit", "Update"))
        .endMetadata()
        .addToData("runtime.yaml", "models: []\n")
        .build();
  }

  @Test
  void childrenKeepOnlyTheOperatorsOwnEntryAndEverythingElse() {
    var store = new PruningItemStore.OwnFields<ConfigMap>();
    ConfigMap cm = configMap();
    store.put(store.getKey(cm), cm);

    ConfigMap cached = store.get("ns/iris-v1");
    assertThat(cached.getMetadata().getManagedFields())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getManager()).isEqualTo(Names.MANAGED_BY);
              assertThat(e.getFieldsV1().getAdditionalProperties()).containsKey("f:data");
            });
    assertThat(cached.getData()).containsEntry("runtime.yaml", "models: []\n");
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.keySet()).containsExactly("ns/iris-v1");
  }

  @Test
  void objectsWithoutTheOperatorsEntryLoseAllOfThem() {
    var store = new PruningItemStore.OwnFields<ConfigMap>();
    ConfigMap cm = configMap();
    cm.getMetadata().getManagedFields().remove(1);
    store.put(store.getKey(cm), cm);
    assertThat(store.get("ns/iris-v1").getMetadata().getManagedFields()).isNull();
  }

  @Test
  void podsKeepNoEntriesButTheirStatus() {
    var store = new PruningItemStore.NoFields<Pod>();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("iris-v1-abc")
            .withNamespace("ns")
            .withManagedFields(entry("kubelet", "Update"))
            .endMetadata()
            .withNewStatus()
            .withPhase("Running")
            .endStatus()
            .build();
    store.put(store.getKey(pod), pod);
    Pod cached = store.get("ns/iris-v1-abc");
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getStatus().getPhase()).isEqualTo("Running");
    assertThat(store.remove("ns/iris-v1-abc")).isSameAs(cached);
    assertThat(store.size()).isZero();
  }
}
