package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelSource;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.Router;
import dev.starling.api.v1alpha1.Traffic;
import dev.starling.api.v1alpha1.VersionStatus;
import dev.starling.operator.desired.Names;
import dev.starling.operator.traffic.EffectiveWeight;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A builtin-mode router exists only while there is something to route: iris goes 1 -> 2 -> 1
 * versions. The order of the switches is read from the API server's own resourceVersions (one etcd
 * revision sequence), recorded by watches, and the waits use pods that cannot be scheduled (never
 * ready) rather than timing: a router that cannot start, a version left alone that cannot start.
 */
@ExtendWith(TestWorldExtension.class)
class RouterPresenceIT {

  private static final Duration READY = Duration.ofSeconds(90);

  /** A CPU request no kwok node has: such a pod stays Pending, so it is never ready. */
  private static final String UNSCHEDULABLE_CPU = "1000";

  @Test
  void routerComesWithASecondVersionAndGoesWithIt(TestWorld world, TestNamespace ns)
      throws Exception {
    ns.create(ns.sample("iris.yaml"));
    ns.awaitReady("iris", READY);
    assertNoRouter(ns);
    assertThat(stableSelector(ns)).isEqualTo(versionPods("v1"));

    var events = new Recorded();
    try (Watch services =
            ns.admin()
                .services()
                .inNamespace(ns.name())
                .withName("iris")
                .watch(events.on(Service.class));
        Watch deployments =
            ns.admin()
                .apps()
                .deployments()
                .inNamespace(ns.name())
                .withName("iris-router")
                .watch(events.on(Deployment.class))) {

      // 1 -> 2 versions with a router that cannot become ready: <md> stays on v1, v2 held back
      ns.edit(
          "iris",
          md -> {
            md.getSpec().getVersions().get(0).setWeight(90);
            md.getSpec().getVersions().add(v2());
            md.getSpec().setTraffic(routerCpu(UNSCHEDULABLE_CPU));
            return md;
          });
      await()
          .atMost(READY)
          .untilAsserted(
              () -> {
                ModelDeployment md = ns.get("iris");
                assertThat(md.getStatus().getObservedGeneration())
                    .isEqualTo(md.getMetadata().getGeneration());
                assertThat(version(md, "v2").getHeldBack())
                    .isEqualTo(EffectiveWeight.ROUTER_NOT_READY);
                assertThat(version(md, "v1").getWeight()).isEqualTo(100);
                assertThat(condition(md, "WeightsApplied").getReason())
                    .isEqualTo(EffectiveWeight.ROUTER_NOT_READY);
                assertThat(ns.children("iris").get("Deployment"))
                    .containsExactlyInAnyOrder("iris-router", "iris-v1", "iris-v2");
              });
      assertThat(stableSelector(ns)).as("no ready router pod").isEqualTo(versionPods("v1"));

      // the router can start: <md> moves to it once it has a ready replica
      ns.edit(
          "iris",
          md -> {
            md.getSpec().setTraffic(null);
            return md;
          });
      ModelDeployment routed = ns.awaitReady("iris", READY);
      assertThat(routed.getStatus().getVersions())
          .extracting(VersionStatus::getWeight)
          .containsExactly(90, 10);
      await().atMost(READY).until(() -> stableSelector(ns).equals(routerPods()));
      assertThat(events.firstReadyRouter())
          .as("resourceVersion of the router's first ready replica")
          .isPositive()
          .isLessThan(events.firstSelecting(routerPods()));
      assertThat(ns.children("iris"))
          .containsEntry("ConfigMap", List.of("iris-router", "iris-v1", "iris-v2"))
          .containsEntry("Deployment", List.of("iris-router", "iris-v1", "iris-v2"))
          .containsEntry("HorizontalPodAutoscaler", List.of("iris-router", "iris-v1", "iris-v2"))
          .containsEntry("Service", List.of("iris", "iris-v1", "iris-v2"));

      // v1 to weight 0: it scales to zero, so it has no ready pod when it is left alone below
      ns.edit(
          "iris",
          md -> {
            md.getSpec().getVersions().get(0).setWeight(0);
            md.getSpec().getVersions().get(1).setWeight(100);
            return md;
          });
      await()
          .atMost(READY)
          .untilAsserted(
              () -> assertThat(version(ns.get("iris"), "v1").getDesiredReplicas()).isZero());

      // 2 -> 1 with v1 unable to start (unschedulable): the router keeps serving and stays
      ModelDeployment alone =
          ns.edit(
              "iris",
              md -> {
                md.getSpec().getVersions().remove(1);
                md.getSpec().getVersions().get(0).setWeight(null);
                md.getSpec().getVersions().get(0).setResources(cpu(UNSCHEDULABLE_CPU));
                return md;
              });
      long generation = alone.getMetadata().getGeneration();
      await()
          .atMost(READY)
          .untilAsserted(
              () -> {
                ModelDeployment md = ns.get("iris");
                assertThat(md.getStatus().getObservedGeneration()).isEqualTo(generation);
                assertThat(version(md, "v1").getDesiredReplicas()).isPositive();
              });
      // the reconciliation that wrote this status has applied its decision
      Deployment router =
          ns.admin().apps().deployments().inNamespace(ns.name()).withName("iris-router").get();
      assertThat(router).as("router kept while v1 has no ready pod").isNotNull();
      assertThat(router.getMetadata().getDeletionTimestamp()).isNull();
      assertThat(stableSelector(ns)).isEqualTo(routerPods());

      // v1 can start: <md> moves to its pods first, then the router objects go
      ns.edit(
          "iris",
          md -> {
            md.getSpec().getVersions().get(0).setResources(null);
            return md;
          });
      await().atMost(READY).untilAsserted(() -> assertNoRouter(ns));
      assertThat(stableSelector(ns)).isEqualTo(versionPods("v1"));
      assertThat(events.lastSelecting(versionPods("v1")))
          .as("<md> left the router before the router Deployment was deleted")
          .isPositive()
          .isLessThan(events.routerDeleted());
      ns.awaitReady("iris", READY);
    }

    // exactly one child of each kind, and nothing more to write
    ns.awaitSettled("iris", READY);
    Thread.sleep(3_000);
    Map<String, List<String>> children = ns.children("iris");
    assertThat(children)
        .containsEntry("ConfigMap", List.of("iris-v1"))
        .containsEntry("Deployment", List.of("iris-v1"))
        .containsEntry("HorizontalPodAutoscaler", List.of("iris-v1"))
        .containsEntry("Service", List.of("iris", "iris-v1"));
    String mdVersion = ns.get("iris").getMetadata().getResourceVersion();
    WriteCounter writes = world.operator().writes();
    writes.reset();
    Thread.sleep(15_000); // three resync periods of the test operator
    String own = "/namespaces/" + ns.name() + "/";
    assertThat(writes.writes())
        .filteredOn(w -> w.contains(own))
        .as("writes by the operator in steady state (all writes seen: %s)", writes.writes())
        .isEmpty();
    assertThat(ns.get("iris").getMetadata().getResourceVersion()).isEqualTo(mdVersion);
  }

  private static void assertNoRouter(TestNamespace ns) {
    Map<String, List<String>> children = ns.children("iris");
    assertThat(children.get("ConfigMap")).containsExactly("iris-v1");
    assertThat(children.get("Deployment")).containsExactly("iris-v1");
    assertThat(children.get("HorizontalPodAutoscaler")).containsExactly("iris-v1");
    assertThat(children.get("PodDisruptionBudget")).isEmpty();
    assertThat(children.get("Service")).containsExactly("iris", "iris-v1");
  }

  private static ModelVersion v2() {
    return new ModelVersion(
        "v2", new ModelSource("https://models.example.com/iris/2/iris.onnx", null), 10);
  }

  private static ResourceRequirements cpu(String cpu) {
    return new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity(cpu)).build();
  }

  private static Traffic routerCpu(String cpu) {
    Router router = new Router();
    router.setResources(cpu(cpu));
    Traffic traffic = new Traffic();
    traffic.setRouter(router);
    return traffic;
  }

  private static Map<String, String> stableSelector(TestNamespace ns) {
    return ns.admin()
        .services()
        .inNamespace(ns.name())
        .withName("iris")
        .get()
        .getSpec()
        .getSelector();
  }

  private static Map<String, String> versionPods(String version) {
    return Map.of(Names.LABEL_MODEL_DEPLOYMENT, "iris", Names.LABEL_VERSION, version);
  }

  private static Map<String, String> routerPods() {
    return Map.of(Names.LABEL_MODEL_DEPLOYMENT, "iris", "app.kubernetes.io/component", "router");
  }

  private static VersionStatus version(ModelDeployment md, String name) {
    return md.getStatus().getVersions().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static Condition condition(ModelDeployment md, String type) {
    return md.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  /** Watch events of the stable Service and the router Deployment, with their resourceVersions. */
  private static final class Recorded {
    private record Event(Watcher.Action action, Object object, long resourceVersion) {}

    private final List<Event> events = new CopyOnWriteArrayList<>();

    <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watcher<T> on(Class<T> type) {
      return new Watcher<>() {
        @Override
        public void eventReceived(Action action, T resource) {
          events.add(
              new Event(
                  action, resource, Long.parseLong(resource.getMetadata().getResourceVersion())));
        }

        @Override
        public void onClose(WatcherException cause) {}
      };
    }

    /** The first event in which the router Deployment reports a ready replica; -1 if none. */
    long firstReadyRouter() {
      return events.stream()
          .filter(e -> e.object() instanceof Deployment d && d.getStatus() != null)
          .filter(
              e -> {
                Integer ready = ((Deployment) e.object()).getStatus().getReadyReplicas();
                return ready != null && ready > 0;
              })
          .mapToLong(Event::resourceVersion)
          .min()
          .orElse(-1);
    }

    /** The first event in which the stable Service selects {@code pods}; -1 if none. */
    long firstSelecting(Map<String, String> pods) {
      return selecting(pods).min().orElse(-1);
    }

    /** The last event in which the stable Service selects {@code pods}; -1 if none. */
    long lastSelecting(Map<String, String> pods) {
      return selecting(pods).max().orElse(-1);
    }

    private java.util.stream.LongStream selecting(Map<String, String> pods) {
      return events.stream()
          .filter(e -> e.object() instanceof Service s && pods.equals(s.getSpec().getSelector()))
          .mapToLong(Event::resourceVersion);
    }

    /** The router Deployment's deletion (marked, or gone): its first such event; -1 if none. */
    long routerDeleted() {
      return events.stream()
          .filter(
              e ->
                  e.object() instanceof Deployment d
                      && (e.action() == Watcher.Action.DELETED
                          || d.getMetadata().getDeletionTimestamp() != null))
          .mapToLong(Event::resourceVersion)
          .min()
          .orElse(-1);
    }
  }
}
