package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.GatewayRef;
import dev.starling.api.v1alpha1.Mirror;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.Traffic;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway-api-mode HTTPRoute {@code <md>} (gateway.networking.k8s.io/v1), built as a generic
 * resource so the operator needs no Gateway API model on its classpath: one rule per version
 * matching the pin header, then a default rule with one weighted backendRef per version Service and
 * a RequestMirror filter for shadow traffic. Gateway API gives a rule with more header matches
 * precedence, so pinned requests never fall into the weighted rule.
 */
public final class HttpRouteFactory {

  public static final String API_VERSION = "gateway.networking.k8s.io/v1";
  public static final String KIND = "HTTPRoute";

  /** Written out because the API server defaults a match without a path to this. */
  private static final Map<String, Object> ROOT_PATH = Map.of("type", "PathPrefix", "value", "/");

  private HttpRouteFactory() {}

  /** {@code weights}: version name → weight (normally the effective weights); missing → 0. */
  public static GenericKubernetesResource create(ModelDeployment md, Map<String, Integer> weights) {
    Traffic traffic = md.getSpec().getTraffic();
    List<Object> rules = new ArrayList<>();
    if (traffic.getPinHeader() != null) {
      for (ModelVersion v : md.getSpec().getVersions()) {
        rules.add(pinRule(md, v, traffic.getPinHeader()));
      }
    }
    rules.add(weightedRule(md, weights, Optional.ofNullable(traffic.getMirror())));

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("parentRefs", List.of(parentRef(traffic.getGatewayRef())));
    spec.put("rules", rules);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withNewMetadata()
        .withName(md.getMetadata().getName())
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(Names.labels(md, "entrypoint"))
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  private static Map<String, Object> parentRef(GatewayRef ref) {
    Map<String, Object> parent = new LinkedHashMap<>();
    parent.put("group", "gateway.networking.k8s.io");
    parent.put("kind", "Gateway");
    parent.put("name", ref.getName());
    if (ref.getNamespace() != null) {
      parent.put("namespace", ref.getNamespace());
    }
    if (ref.getSectionName() != null) {
      parent.put("sectionName", ref.getSectionName());
    }
    return parent;
  }

  private static Map<String, Object> pinRule(ModelDeployment md, ModelVersion v, String header) {
    Map<String, Object> match =
        ordered(
            "path",
            ROOT_PATH,
            "headers",
            List.of(ordered("type", "Exact", "name", header, "value", v.getName())));
    return ordered(
        "matches", List.of(match), "backendRefs", List.of(backendRef(md, v.getName(), 1)));
  }

  /**
   * Every version is listed, weight 0 included (a backendRef of weight 0 gets no traffic), so a
   * weight edit changes numbers only. When every weight is 0 the route has nothing to serve; the
   * Gateway then answers 500, which is what "no version is ready" should look like.
   */
  private static Map<String, Object> weightedRule(
      ModelDeployment md, Map<String, Integer> weights, Optional<Mirror> mirror) {
    List<Object> backendRefs = new ArrayList<>();
    for (ModelVersion v : md.getSpec().getVersions()) {
      backendRefs.add(backendRef(md, v.getName(), weights.getOrDefault(v.getName(), 0)));
    }
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("matches", List.of(Map.of("path", ROOT_PATH)));
    mirror.ifPresent(
        m ->
            rule.put(
                "filters",
                List.of(
                    ordered(
                        "type",
                        "RequestMirror",
                        "requestMirror",
                        ordered(
                            "backendRef",
                            service(md, m.getVersion()),
                            "percent",
                            m.getPercent())))));
    rule.put("backendRefs", backendRefs);
    return rule;
  }

  private static Map<String, Object> backendRef(ModelDeployment md, String version, int weight) {
    Map<String, Object> ref = service(md, version);
    ref.put("weight", weight);
    return ref;
  }

  /**
   * A version's Service as a BackendObjectReference, with the group and kind the API server would
   * default written out, so what we apply equals what we read back.
   */
  private static Map<String, Object> service(ModelDeployment md, String version) {
    return ordered(
        "group",
        "",
        "kind",
        "Service",
        "name",
        md.getMetadata().getName() + "-" + version,
        "port",
        Names.HTTP_PORT);
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
