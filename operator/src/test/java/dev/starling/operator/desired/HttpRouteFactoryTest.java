package dev.starling.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.GatewayRef;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.Traffic;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpRouteFactoryTest {

  static ModelDeployment gatewayFraud() {
    ModelDeployment md = RouterConfigContractTest.fraudWithShadow();
    Traffic traffic = md.getSpec().getTraffic();
    traffic.setMode(Traffic.GATEWAY_API);
    traffic.setSticky(null);
    traffic.setGatewayRef(new GatewayRef("public", "infra", "https"));
    return md;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules(ModelDeployment md, Map<String, Integer> w) {
    var spec =
        (Map<String, Object>) HttpRouteFactory.create(md, w).getAdditionalProperties().get("spec");
    return (List<Map<String, Object>>) spec.get("rules");
  }

  /** As the API server returns it: group and kind defaulted. */
  private static Map<String, Object> backend(String name, int weight) {
    return Map.of("group", "", "kind", "Service", "name", name, "port", 8080, "weight", weight);
  }

  @Test
  void oneWeightedBackendPerVersionServiceInSpecOrder() {
    var rules = rules(gatewayFraud(), Map.of("v1", 90, "v2", 10));
    assertThat(rules).hasSize(4); // three pin rules, then the weighted rule
    assertThat(rules.get(3).get("backendRefs"))
        .isEqualTo(
            List.of(backend("fraud-v1", 90), backend("fraud-v2", 10), backend("fraud-v3", 0)));
  }

  @Test
  void pinHeaderSelectsEachVersionAndMirrorCopiesToTheShadow() {
    String yaml = Serialization.asYaml(HttpRouteFactory.create(gatewayFraud(), Map.of("v1", 100)));
    assertThat(yaml)
        .contains("apiVersion: \"gateway.networking.k8s.io/v1\"")
        .contains("kind: \"HTTPRoute\"")
        .contains("name: \"public\"")
        .contains("namespace: \"infra\"")
        .contains("sectionName: \"https\"")
        .contains("type: \"RequestMirror\"")
        .contains("percent: 20");
    var rules = rules(gatewayFraud(), Map.of("v1", 100));
    assertThat(rules.get(1).get("matches"))
        .isEqualTo(
            List.of(
                Map.of(
                    "path",
                    Map.of("type", "PathPrefix", "value", "/"),
                    "headers",
                    List.of(
                        Map.of("type", "Exact", "name", "x-starling-version", "value", "v2")))));
    assertThat(rules.get(1).get("backendRefs")).isEqualTo(List.of(backend("fraud-v2", 1)));
  }

  @Test
  void withoutPinHeaderOrMirrorOnlyTheWeightedRule() {
    var md = gatewayFraud();
    md.getSpec().getTraffic().setPinHeader(null);
    md.getSpec().getTraffic().setMirror(null);
    var rules = rules(md, Map.of("v1", 90, "v2", 10));
    assertThat(rules).hasSize(1);
    assertThat(rules.get(0)).doesNotContainKey("filters");
  }
}
