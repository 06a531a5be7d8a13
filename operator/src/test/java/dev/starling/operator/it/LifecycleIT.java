package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Changes, hand edits and deletion, against the real controllers and garbage collector. */
@ExtendWith(TestWorldExtension.class)
class LifecycleIT {

  private static final Duration READY = Duration.ofSeconds(90);

  @Test
  void changingOneUriRollsOnlyThatVersionThroughProgressingToReady(TestNamespace ns)
      throws Exception {
    ns.samplePrerequisites();
    ns.create(ns.sample("fraud-canary.yaml"));
    ModelDeployment ready = ns.awaitReady("fraud", READY);
    Deployment v1Before = deployment(ns, "fraud-v1");
    Deployment v2Before = deployment(ns, "fraud-v2");

    List<String> seen = new CopyOnWriteArrayList<>();
    try (var watch =
        ns.admin()
            .resources(ModelDeployment.class)
            .inNamespace(ns.name())
            .withName("fraud")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, ModelDeployment md) {
                    if (md.getStatus() != null) {
                      md.getStatus().getConditions().stream()
                          .filter(
                              c -> c.getType().equals("Progressing") || c.getType().equals("Ready"))
                          .forEach(
                              c ->
                                  seen.add(
                                      md.getStatus().getObservedGeneration()
                                          + ":"
                                          + c.getType()
                                          + "="
                                          + c.getStatus()));
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      ModelDeployment changed =
          ns.edit(
              "fraud",
              md -> {
                md.getSpec()
                    .getVersions()
                    .get(0)
                    .getModel()
                    .setUri("https://models.example.com/fraud/1b/fraud.onnx");
                md.getSpec().getVersions().get(0).getModel().setSha256(null);
                return md;
              });
      long generation = changed.getMetadata().getGeneration();
      assertThat(generation).isGreaterThan(ready.getMetadata().getGeneration());

      ns.awaitReady("fraud", READY);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(seen)
                      .containsSubsequence(
                          generation + ":Progressing=True", generation + ":Ready=True"));
    }

    Deployment v1After = deployment(ns, "fraud-v1");
    Deployment v2After = deployment(ns, "fraud-v2");
    assertThat(v1After.getMetadata().getGeneration())
        .isGreaterThan(v1Before.getMetadata().getGeneration());
    assertThat(v1After.getSpec().getTemplate().getSpec().getInitContainers().get(0).getArgs())
        .contains("https://models.example.com/fraud/1b/fraud.onnx")
        .doesNotContain("--sha256");
    assertThat(v2After.getMetadata().getGeneration())
        .isEqualTo(v2Before.getMetadata().getGeneration());
    assertThat(v2After.getSpec()).isEqualTo(v2Before.getSpec());
  }

  @Test
  void deletingTheModelDeploymentGarbageCollectsEveryChild(TestNamespace ns) {
    ns.samplePrerequisites();
    ns.create(ns.sample("fraud-canary.yaml"));
    ns.awaitReady("fraud", READY);
    assertThat(ns.children("fraud").get("Deployment")).hasSize(3); // v1, v2, router

    ns.admin().resources(ModelDeployment.class).inNamespace(ns.name()).withName("fraud").delete();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(ns.children("fraud").values()).allMatch(List::isEmpty));
    // The garbage collector cascades Deployment → ReplicaSet → Pod asynchronously: the pods are
    // marked for deletion a moment after their owners are gone.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(ns.admin().pods().inNamespace(ns.name()).list().getItems())
                    .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null));
  }

  @Test
  void handEditedServiceIsPutBack(TestNamespace ns) {
    ns.create(ns.sample("iris.yaml"));
    ns.awaitReady("iris", READY);

    // as `kubectl edit` would: an update by another field manager
    ns.admin()
        .services()
        .inNamespace(ns.name())
        .withName("iris-v1")
        .edit(
            s -> {
              s.getSpec().getPorts().get(0).setTargetPort(new IntOrString(9999));
              s.getSpec().getSelector().put("hijacked", "yes");
              return s;
            });

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var s = ns.admin().services().inNamespace(ns.name()).withName("iris-v1").get();
              assertThat(s.getSpec().getPorts().get(0).getTargetPort().getStrVal())
                  .isEqualTo("http");
            });
  }

  @Test
  void deletedChildrenAreRecreated(TestNamespace ns) {
    ns.create(ns.sample("iris.yaml"));
    ns.awaitReady("iris", READY);
    String oldUid = deployment(ns, "iris-v1").getMetadata().getUid();

    ns.admin().apps().deployments().inNamespace(ns.name()).withName("iris-v1").delete();
    ns.admin().configMaps().inNamespace(ns.name()).withName("iris-v1").delete();
    ns.admin().services().inNamespace(ns.name()).withName("iris").delete();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Deployment d = deployment(ns, "iris-v1");
              assertThat(d).isNotNull();
              assertThat(d.getMetadata().getUid()).isNotEqualTo(oldUid);
              assertThat(ns.admin().configMaps().inNamespace(ns.name()).withName("iris-v1").get())
                  .isNotNull();
              assertThat(ns.admin().services().inNamespace(ns.name()).withName("iris").get())
                  .isNotNull();
            });
    ns.awaitReady("iris", READY);
  }

  /**
   * Without the label its informer selects on, a child disappears from the operator's cache but not
   * from the cluster: JOSDK's create-only apply then meets a 409. The operator takes its own child
   * back (owner reference) instead of failing every retry.
   */
  @Test
  void childWhoseLabelsWereRemovedByHandIsTakenBack(TestNamespace ns) {
    ns.create(ns.sample("iris.yaml"));
    ns.awaitReady("iris", READY);
    String uid =
        ns.admin().services().inNamespace(ns.name()).withName("iris").get().getMetadata().getUid();

    ns.admin()
        .services()
        .inNamespace(ns.name())
        .withName("iris")
        .edit(
            s -> {
              s.getMetadata().getLabels().remove("app.kubernetes.io/managed-by");
              return s;
            });
    ns.admin()
        .configMaps()
        .inNamespace(ns.name())
        .withName("iris-v1")
        .edit(
            c -> {
              c.getMetadata().getLabels().remove("app.kubernetes.io/managed-by");
              return c;
            });

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              var s = ns.admin().services().inNamespace(ns.name()).withName("iris").get();
              var c = ns.admin().configMaps().inNamespace(ns.name()).withName("iris-v1").get();
              assertThat(s.getMetadata().getLabels())
                  .containsEntry("app.kubernetes.io/managed-by", "starling-operator");
              assertThat(c.getMetadata().getLabels())
                  .containsEntry("app.kubernetes.io/managed-by", "starling-operator");
              assertThat(s.getMetadata().getUid()).as("taken back, not replaced").isEqualTo(uid);
            });
    ns.awaitReady("iris", READY);
  }

  private static Deployment deployment(TestNamespace ns, String name) {
    return ns.admin().apps().deployments().inNamespace(ns.name()).withName(name).get();
  }
}
