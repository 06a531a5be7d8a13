package dev.starling.operator.desired;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.api.v1alpha1.Mirror;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.Sticky;
import dev.starling.api.v1alpha1.Traffic;
import dev.starling.operator.TestingModelDeployments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's side of the router contract: what it renders equals contract/router/*.yaml. */
class RouterConfigContractTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** fraud v1=90, v2=10, v3=0 shadowed at 20 %, pinning and sticky users: the contract example. */
  static ModelDeployment fraudWithShadow() {
    ModelDeployment md = fraud();
    md.getSpec()
        .getVersions()
        .add(TestingModelDeployments.version("v3", "pvc://models/fraud/3/model.onnx", 0));
    Traffic traffic = new Traffic();
    traffic.setPinHeader("x-starling-version");
    traffic.setSticky(new Sticky("x-user-id"));
    Mirror mirror = new Mirror("v3", 20);
    mirror.setMaxAbsDiff(0.05);
    traffic.setMirror(mirror);
    md.getSpec().setTraffic(traffic);
    return md;
  }

  @Test
  void rendersTheContractExample() throws Exception {
    String rendered =
        RouterConfigFactory.render(fraudWithShadow(), Map.of("v1", 90, "v2", 10, "v3", 0));
    Path contract =
        Path.of(
            System.getProperty("starling.repo", ".."), "contract/router/operator-rendered.yaml");
    JsonNode expected = YAML.readTree(Files.readString(contract));
    assertThat(YAML.readTree(rendered)).isEqualTo(expected);
  }

  @Test
  void versionsKeepSpecOrderAndAMissingWeightIsZero() throws Exception {
    JsonNode tree = YAML.readTree(RouterConfigFactory.render(fraud(), Map.of("v2", 100)));
    assertThat(tree.at("/versions/0/name").asText()).isEqualTo("v1");
    assertThat(tree.at("/versions/0/weight").asInt()).isZero();
    assertThat(tree.at("/versions/1/weight").asInt()).isEqualTo(100);
    assertThat(tree.has("pinHeader")).isFalse();
    assertThat(tree.has("sticky")).isFalse();
    assertThat(tree.has("mirror")).isFalse();
  }

  @Test
  void renderingIsDeterministic() {
    var weights = Map.of("v1", 90, "v2", 10, "v3", 0);
    assertThat(RouterConfigFactory.render(fraudWithShadow(), weights))
        .isEqualTo(RouterConfigFactory.render(fraudWithShadow(), weights));
  }
}
