package dev.starling.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.operator.desired.Names;
import dev.starling.operator.status.PodProblem;
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
  void equalFieldSetsOfDifferentObjectsAreOneReadOnlyMap() {
    var store = new PruningItemStore.OwnFields<ConfigMap>();
    ConfigMap a = configMap();
    ConfigMap b = configMap();
    b.getMetadata().setName("iris-v2");
    store.put(store.getKey(a), a);
    store.put(store.getKey(b), b);

    Map<String, Object> fieldsA = fieldSet(store.get("ns/iris-v1"));
    Map<String, Object> fieldsB = fieldSet(store.get("ns/iris-v2"));
    assertThat(fieldsA)
        .isSameAs(fieldsB)
        .isEqualTo(Map.of("f:data", Map.of("f:runtime.yaml", Map.of())));
    assertThatThrownBy(() -> fieldsA.put("f:spec", Map.of()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void differentFieldSetsStayDifferentButShareEqualSubtrees() {
    var store = new PruningItemStore.OwnFields<ConfigMap>();
    ConfigMap a = configMap();
    ConfigMap b = configMap();
    b.getMetadata().setName("iris-v2");
    b.getMetadata()
        .getManagedFields()
        .get(1)
        .getFieldsV1()
        .setAdditionalProperty("f:metadata", Map.of("f:labels", Map.of()));
    store.put(store.getKey(a), a);
    store.put(store.getKey(b), b);

    Map<String, Object> fieldsA = fieldSet(store.get("ns/iris-v1"));
    Map<String, Object> fieldsB = fieldSet(store.get("ns/iris-v2"));
    assertThat(fieldsB).containsKeys("f:data", "f:metadata").isNotEqualTo(fieldsA);
    assertThat(fieldsB.get("f:data")).isSameAs(fieldsA.get("f:data"));
  }

  private static Map<String, Object> fieldSet(ConfigMap cm) {
    return cm.getMetadata().getManagedFields().get(0).getFieldsV1().getAdditionalProperties();
  }

  @Test
  void podsKeepMetadataAndContainerStatesOnly() {
    var store = new PruningItemStore.Pods();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("iris-v1-abc")
            .withNamespace("ns")
            .addToLabels(Names.LABEL_VERSION, "v1")
            .addToAnnotations("prometheus.io/scrape", "true")
            .withManagedFields(entry("kubelet", "Update"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("runtime")
            .withImage("starling/runtime:test")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP("10.0.0.7")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .addNewContainerStatus()
            .withName("runtime")
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    var problemsBefore = PodProblem.of(pod);
    store.put(store.getKey(pod), pod);
    Pod cached = store.get("ns/iris-v1-abc");
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getMetadata().getAnnotations()).containsKey("prometheus.io/scrape");
    assertThat(cached.getMetadata().getLabels()).containsEntry(Names.LABEL_VERSION, "v1");
    assertThat(cached.getSpec()).isNull();
    assertThat(cached.getStatus().getPodIP()).isNull();
    assertThat(cached.getStatus().getConditions()).isEmpty();
    assertThat(cached.getStatus().getPhase()).isEqualTo("Running");
    assertThat(PodProblem.of(cached)).isNotEmpty().isEqualTo(problemsBefore);
    assertThat(store.remove("ns/iris-v1-abc")).isSameAs(cached);
    assertThat(store.size()).isZero();
  }
}
