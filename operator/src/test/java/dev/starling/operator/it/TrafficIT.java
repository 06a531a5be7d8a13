package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.api.v1alpha1.Mirror;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.Router;
import dev.starling.api.v1alpha1.RouterAutoscaling;
import dev.starling.api.v1alpha1.Traffic;
import dev.starling.api.v1alpha1.VersionStatus;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.RouterConfigFactory;
import dev.starling.operator.desired.ServiceFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Traffic between versions, against the real API server and controllers (kwok plays the pods): the
 * builtin router's objects and config, the gateway-api HTTPRoute, weight edits that touch only the
 * router config or route, scale to zero of weight-0 versions, and weight held back from a canary
 * until it has ready replicas.
 */
@ExtendWith(TestWorldExtension.class)
class TrafficIT {

  private static final Duration READY = Duration.ofSeconds(120);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void canaryWeightHeldBackUntilItHasReadyReplicasThenRouterConfigMoves(TestNamespace ns) {
    // no PVC "models" yet: v2 (pvc://models/...) cannot be scheduled, so it has no ready replica
    ns.create(ns.sample("fraud-canary.yaml"));

    await()
        .atMost(READY)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              ModelDeployment md = ns.get("fraud");
              assertThat(version(md, "v1").getWeight()).isEqualTo(100);
              assertThat(version(md, "v2").getWeight()).isZero();
              assertThat(version(md, "v2").getDesiredWeight()).isEqualTo(10);
              assertThat(version(md, "v2").getHeldBack()).isEqualTo("NoReadyReplicas");
              assertThat(condition(md, "WeightsApplied")).isEqualTo("False/NoReadyReplicas");
              assertThat(condition(md, "Ready")).startsWith("False/");
              assertThat(routerWeights(ns, "fraud"))
                  .containsExactly(entry("v1", 100), entry("v2", 0));
            });
    assertThat(ns.get("fraud").getStatus().getSummary()).contains("v2=0%(10)");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(ns.admin().v1().events().inNamespace(ns.name()).list().getItems())
                    .anyMatch(
                        e ->
                            "WeightHeldBack".equals(e.getReason())
                                && "Normal".equals(e.getType())
                                && e.getMessage().contains("v2 wants 10% but gets 0%")));

    ns.samplePrerequisites(); // the volume appears: v2 schedules, becomes ready, takes its 10 %
    ModelDeployment ready = ns.awaitReady("fraud", READY);
    assertThat(version(ready, "v2").getWeight()).isEqualTo(10);
    assertThat(version(ready, "v2").getHeldBack()).isNull();
    assertThat(condition(ready, "WeightsApplied")).isEqualTo("True/AsDesired");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(routerWeights(ns, "fraud"))
                    .containsExactly(entry("v1", 90), entry("v2", 10)));
  }

  @Test
  void builtinModeRunsARouterConfiguredFromTheSpec(TestNamespace ns) throws Exception {
    ns.samplePrerequisites();
    ModelDeployment md = ns.sample("fraud-canary.yaml");
    Traffic traffic = new Traffic();
    traffic.setPinHeader("x-starling-version");
    traffic.setSticky(new dev.starling.api.v1alpha1.Sticky("x-user-id"));
    var sizing = new RouterAutoscaling(2, 7);
    sizing.setTargetCPUUtilizationPercentage(60);
    var routerSizing = new Router();
    routerSizing.setAutoscaling(sizing);
    routerSizing.setResources(
        new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("250m")).build());
    traffic.setRouter(routerSizing);
    md.getSpec().setTraffic(traffic);
    ns.create(md);
    ns.awaitSettled("fraud", READY);

    JsonNode router = routerYaml(ns, "fraud");
    assertThat(router.at("/versions/0/endpoints/0").asText())
        .isEqualTo("http://fraud-v1." + ns.name() + ".svc:8080");
    assertThat(router.at("/versions/1/endpoints/0").asText())
        .isEqualTo("http://fraud-v2." + ns.name() + ".svc:8080");
    assertThat(router.at("/pinHeader").asText()).isEqualTo("x-starling-version");
    assertThat(router.at("/sticky/header").asText()).isEqualTo("x-user-id");
    assertThat(router.at("/server").has("maxThreads")).as("left to the router's default").isFalse();

    Deployment d = deployment(ns, "fraud-router");
    var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(TestWorld.RUNTIME_IMAGE);
    assertThat(container.getArgs())
        .containsExactly("router", "--config", "/etc/starling/router.yaml");
    assertThat(d.getSpec().getReplicas()).as("the router's HPA sets it").isPositive();
    Service stable = ns.admin().services().inNamespace(ns.name()).withName("fraud").get();
    assertThat(stable.getSpec().getSelector()).isEqualTo(Names.routerSelector(md));
    assertThat(ns.children("fraud").get("HorizontalPodAutoscaler"))
        .containsExactly("fraud-router", "fraud-v1", "fraud-v2");

    // spec.traffic.router sizes the router: its HPA, container resources and a PDB from 2 replicas
    var hpa = routerHpa(ns, "fraud");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(7);
    assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization())
        .isEqualTo(60);
    assertThat(container.getResources().getRequests())
        .isEqualTo(Map.of("cpu", new Quantity("250m")));
    assertThat(ns.children("fraud").get("PodDisruptionBudget")).contains("fraud-router");

    // back to one replica: the HPA follows and the router's PDB goes
    edit(ns, "fraud", m -> m.getSpec().getTraffic().getRouter().setAutoscaling(null));
    await()
        .atMost(READY)
        .untilAsserted(
            () -> {
              assertThat(routerHpa(ns, "fraud").getSpec().getMinReplicas()).isEqualTo(1);
              assertThat(routerHpa(ns, "fraud").getSpec().getMaxReplicas()).isEqualTo(5);
              assertThat(ns.children("fraud").get("PodDisruptionBudget"))
                  .doesNotContain("fraud-router");
            });
  }

  private static HorizontalPodAutoscaler routerHpa(TestNamespace ns, String md) {
    return ns.admin()
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns.name())
        .withName(md + "-router")
        .get();
  }

  @Test
  void editingWeightsChangesOnlyTheRouterConfigAndWeightZeroScalesToZero(TestNamespace ns) {
    ns.samplePrerequisites();
    ns.create(ns.sample("fraud-canary.yaml"));
    ns.awaitSettled("fraud", READY);
    Map<String, Deployment> before = deployments(ns, "fraud-v1", "fraud-v2", "fraud-router");
    String configBefore = configMap(ns, "fraud-router").getMetadata().getResourceVersion();

    edit(ns, "fraud", md -> setWeights(md, 50, 50));
    await()
        .atMost(READY)
        .untilAsserted(
            () ->
                assertThat(routerWeights(ns, "fraud"))
                    .containsExactly(entry("v1", 50), entry("v2", 50)));
    ns.awaitReady("fraud", READY);
    assertThat(configMap(ns, "fraud-router").getMetadata().getResourceVersion())
        .isNotEqualTo(configBefore);
    assertUnchanged(before, deployments(ns, "fraud-v1", "fraud-v2", "fraud-router"));

    // promote: v1 loses its weight, scales to zero and loses its HPA and PDB; v2 is untouched
    edit(ns, "fraud", md -> setWeights(md, 0, 100));
    await()
        .atMost(READY)
        .untilAsserted(
            () -> {
              assertThat(routerWeights(ns, "fraud"))
                  .containsExactly(entry("v1", 0), entry("v2", 100));
              assertThat(deployment(ns, "fraud-v1").getSpec().getReplicas()).isZero();
              var children = ns.children("fraud");
              assertThat(children.get("HorizontalPodAutoscaler"))
                  .containsExactly("fraud-router", "fraud-v2");
              assertThat(children.get("PodDisruptionBudget")).isEmpty();
            });
    ModelDeployment promoted = ns.awaitReady("fraud", READY);
    assertThat(version(promoted, "v1").getWeight()).isZero();
    assertThat(version(promoted, "v2").getWeight()).isEqualTo(100);
    assertUnchanged(
        Map.of("fraud-v2", before.get("fraud-v2"), "fraud-router", before.get("fraud-router")),
        deployments(ns, "fraud-v2", "fraud-router"));
  }

  @Test
  void aPinnedForTestingVersionKeepsRunningWithoutWeightWhileAnUnpinnedOneScalesToZero(
      TestNamespace ns) throws Exception {
    ns.samplePrerequisites();
    ModelDeployment md = ns.sample("fraud-canary.yaml");
    ModelVersion v3 = ns.sample("fraud-canary.yaml").getSpec().getVersions().get(1);
    v3.setName("v3");
    v3.setWeight(0);
    md.getSpec().getVersions().add(v3);
    setWeights(md, 100, 0); // v2: weight 0, pinned for testing; v3: weight 0, not pinned
    md.getSpec().getVersions().get(1).setPinnedForTesting(true);
    Traffic traffic = new Traffic();
    traffic.setPinHeader("x-starling-version");
    md.getSpec().setTraffic(traffic);
    ns.create(md);

    // Ready needs every running version ready, so the pinned v2 too (awaitSettled would wait for
    // v3's minReplicas, which a scaled-to-zero version never reaches)
    ns.awaitReady("fraud", READY);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              ModelDeployment ready = ns.get("fraud");
              assertThat(version(ready, "v2").getWeight()).isZero();
              assertThat(version(ready, "v2").getReadyReplicas()).as("v2 ready").isPositive();
              assertThat(version(ready, "v3").getReadyReplicas()).as("v3 ready").isZero();
              var children = ns.children("fraud");
              assertThat(children.get("HorizontalPodAutoscaler"))
                  .containsExactly("fraud-router", "fraud-v1", "fraud-v2");
              assertThat(deployment(ns, "fraud-v3").getSpec().getReplicas())
                  .as("unpinned weight-0 v3")
                  .isZero();
            });
    // v2 runs under its own HPA (no replicas in the Deployment, which the HPA sets, at least 1)
    var hpa =
        ns.admin()
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(ns.name())
            .withName("fraud-v2")
            .get();
    assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(1);
    Deployment v2 = deployment(ns, "fraud-v2");
    assertThat(v2.getSpec().getReplicas()).as("set by the HPA, never 0").isPositive();
    assertThat(v2.getStatus().getReadyReplicas()).isPositive();

    // the router knows both, with no weight; the pin header reaches the one that runs
    JsonNode router = routerYaml(ns, "fraud");
    assertThat(router.at("/pinHeader").asText()).isEqualTo("x-starling-version");
    assertThat(routerWeights(ns, "fraud"))
        .containsExactly(entry("v1", 100), entry("v2", 0), entry("v3", 0));
    assertThat(router.at("/versions/1/endpoints/0").asText())
        .isEqualTo("http://fraud-v2." + ns.name() + ".svc:8080");

    // unpinning v2 scales it to zero as well
    edit(ns, "fraud", m -> m.getSpec().getVersions().get(1).setPinnedForTesting(false));
    await()
        .atMost(READY)
        .untilAsserted(
            () -> {
              assertThat(deployment(ns, "fraud-v2").getSpec().getReplicas()).isZero();
              assertThat(ns.children("fraud").get("HorizontalPodAutoscaler"))
                  .containsExactly("fraud-router", "fraud-v1");
            });
  }

  @Test
  void gatewayApiModeProducesAnHttpRouteTheApiServerAccepts(TestNamespace ns) {
    ModelDeployment gateway = ns.sample("iris-gateway.yaml");
    gateway.getSpec().getTraffic().setMirror(new Mirror("v2", 25));
    ns.create(gateway);
    ns.awaitSettled("iris-gateway", READY);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(routeWeights(ns, "iris-gateway"))
                    .containsExactly(entry("iris-gateway-v1", 80), entry("iris-gateway-v2", 20)));
    GenericKubernetesResource route = route(ns, "iris-gateway");
    assertThat(route.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelDeployment"));
    List<Map<String, Object>> rules = rules(route);
    assertThat(rules).hasSize(3); // pin v1, pin v2, weighted
    assertThat(rules.get(2).get("filters"))
        .asString()
        .contains("RequestMirror", "name=iris-gateway-v2", "percent=25");
    assertThat(ns.children("iris-gateway").get("Deployment"))
        .containsExactly("iris-gateway-v1", "iris-gateway-v2");
    assertThat(stableSelector(ns, "iris-gateway")).containsEntry(Names.LABEL_VERSION, "v1");
    Service gatewayV1 = service(ns, "iris-gateway-v1");
    assertThat(gatewayV1.getSpec().getClusterIP())
        .as("gateway-api mode: version Services keep a ClusterIP")
        .isNotEqualTo(ServiceFactory.HEADLESS);
    Map<String, Deployment> before = deployments(ns, "iris-gateway-v1", "iris-gateway-v2");

    edit(ns, "iris-gateway", md -> setWeights(md, 30, 70));
    await()
        .atMost(READY)
        .untilAsserted(
            () -> {
              assertThat(routeWeights(ns, "iris-gateway"))
                  .containsExactly(entry("iris-gateway-v1", 30), entry("iris-gateway-v2", 70));
              assertThat(stableSelector(ns, "iris-gateway"))
                  .containsEntry(Names.LABEL_VERSION, "v2");
            });
    assertUnchanged(before, deployments(ns, "iris-gateway-v1", "iris-gateway-v2"));

    // back to builtin: the HTTPRoute goes, the router comes
    edit(
        ns,
        "iris-gateway",
        md -> {
          md.getSpec().getTraffic().setMode(Traffic.BUILTIN);
          md.getSpec().getTraffic().setGatewayRef(null);
        });
    await()
        .atMost(READY)
        .untilAsserted(
            () -> {
              assertThat(route(ns, "iris-gateway")).isNull();
              assertThat(routerWeights(ns, "iris-gateway"))
                  .containsExactly(entry("v1", 30), entry("v2", 70));
              // clusterIP cannot change in place: the version Services were replaced, headless
              // (absent for a moment between the delete and the create)
              for (String v : List.of("iris-gateway-v1", "iris-gateway-v2")) {
                Service svc = service(ns, v);
                assertThat(svc).as(v).isNotNull();
                assertThat(svc.getSpec().getClusterIP()).as(v).isEqualTo(ServiceFactory.HEADLESS);
              }
            });
    assertThat(service(ns, "iris-gateway-v1").getMetadata().getUid())
        .isNotEqualTo(gatewayV1.getMetadata().getUid());
    assertThat(service(ns, "iris-gateway").getSpec().getClusterIP())
        .as("the router's entry point keeps its ClusterIP")
        .isNotEqualTo(ServiceFactory.HEADLESS);
    ns.awaitReady("iris-gateway", READY);
  }

  // ---- helpers ----

  private static Map.Entry<String, Integer> entry(String k, int v) {
    return Map.entry(k, v);
  }

  private static VersionStatus version(ModelDeployment md, String name) {
    assertThat(md.getStatus()).isNotNull();
    return md.getStatus().getVersions().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static String condition(ModelDeployment md, String type) {
    return md.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus() + "/" + c.getReason())
        .findFirst()
        .orElse("absent");
  }

  private static void setWeights(ModelDeployment md, int v1, int v2) {
    md.getSpec().getVersions().get(0).setWeight(v1);
    md.getSpec().getVersions().get(1).setWeight(v2);
  }

  /** A read-modify-write of the spec, as `kubectl edit` does, again when the status moved on. */
  private static void edit(TestNamespace ns, String name, Consumer<ModelDeployment> change) {
    ns.edit(
        name,
        md -> {
          change.accept(md);
          return md;
        });
  }

  private static ConfigMap configMap(TestNamespace ns, String name) {
    return ns.admin().configMaps().inNamespace(ns.name()).withName(name).get();
  }

  private static JsonNode routerYaml(TestNamespace ns, String md) throws Exception {
    ConfigMap cm = configMap(ns, md + "-router");
    assertThat(cm).as("router ConfigMap").isNotNull();
    return YAML.readTree(cm.getData().get(RouterConfigFactory.CONFIG_KEY));
  }

  /** Version name → weight, in router.yaml order. */
  private static Map<String, Integer> routerWeights(TestNamespace ns, String md) throws Exception {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (JsonNode v : routerYaml(ns, md).get("versions")) {
      weights.put(v.get("name").asText(), v.get("weight").asInt());
    }
    return weights;
  }

  private static Service service(TestNamespace ns, String name) {
    return ns.admin().services().inNamespace(ns.name()).withName(name).get();
  }

  private static Deployment deployment(TestNamespace ns, String name) {
    return ns.admin().apps().deployments().inNamespace(ns.name()).withName(name).get();
  }

  private static Map<String, Deployment> deployments(TestNamespace ns, String... names) {
    Map<String, Deployment> out = new HashMap<>();
    for (String n : names) {
      out.put(n, deployment(ns, n));
    }
    return out;
  }

  /** Same generation and spec: nothing the operator (or a user) wrote changed them. */
  private static void assertUnchanged(Map<String, Deployment> before, Map<String, Deployment> now) {
    before.forEach(
        (name, d) -> {
          Deployment after = now.get(name);
          assertThat(after.getMetadata().getGeneration())
              .as(name + " generation")
              .isEqualTo(d.getMetadata().getGeneration());
          DeploymentSpec a = after.getSpec();
          assertThat(a.getTemplate())
              .as(name + " pod template")
              .isEqualTo(d.getSpec().getTemplate());
        });
  }

  private static Map<String, String> stableSelector(TestNamespace ns, String md) {
    return ns.admin().services().inNamespace(ns.name()).withName(md).get().getSpec().getSelector();
  }

  private static GenericKubernetesResource route(TestNamespace ns, String name) {
    return ns.admin()
        .genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
        .inNamespace(ns.name())
        .withName(name)
        .get();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules(GenericKubernetesResource route) {
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    return (List<Map<String, Object>>) spec.get("rules");
  }

  /** backendRef name → weight of the weighted (last) rule, as the API server stored it. */
  @SuppressWarnings("unchecked")
  private static Map<String, Integer> routeWeights(TestNamespace ns, String name) {
    GenericKubernetesResource route = route(ns, name);
    assertThat(route).as("HTTPRoute " + name).isNotNull();
    List<Map<String, Object>> rules = rules(route);
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (Map<String, Object> ref :
        (List<Map<String, Object>>) rules.get(rules.size() - 1).get("backendRefs")) {
      weights.put((String) ref.get("name"), ((Number) ref.get("weight")).intValue());
    }
    return weights;
  }
}
