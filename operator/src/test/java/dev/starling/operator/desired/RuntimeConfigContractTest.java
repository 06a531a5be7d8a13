package dev.starling.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.operator.TestingModelDeployments;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The operator's side of the contract: what it renders equals contract/runtime/*.yaml. */
class RuntimeConfigContractTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void rendersTheContractExampleForIris() throws Exception {
    var md = TestingModelDeployments.iris();
    String rendered = RuntimeConfigFactory.render(md, md.getSpec().getVersions().get(0));

    Path contract =
        Path.of(
            System.getProperty("starling.repo", ".."), "contract/runtime/operator-rendered.yaml");
    JsonNode expected = YAML.readTree(Files.readString(contract));
    JsonNode actual = YAML.readTree(rendered);
    // The contract quotes the digest, so both sides read it as text and compare strictly.
    assertThat(actual.at("/models/0/source/sha256").isTextual())
        .as("digest rendered as a string")
        .isTrue();
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void rendersTheProductionContractExampleForTheProductionSample() throws Exception {
    // sample -> operator -> contract file; the runtime's own RuntimeConfigContractTest parses and
    // validates the same contract file with its ConfigLoader
    var md = TestingModelDeployments.sample("fraud-production.yaml");
    String rendered = RuntimeConfigFactory.render(md, md.getSpec().getVersions().get(0));
    Path contract =
        Path.of(
            System.getProperty("starling.repo", ".."), "contract/runtime/operator-production.yaml");
    assertThat(YAML.readTree(rendered)).isEqualTo(YAML.readTree(Files.readString(contract)));
  }

  @Test
  void renderingIsDeterministicAndAnHttpsUriLivesInThePodNotTheConfig() {
    var md = TestingModelDeployments.iris();
    var v = md.getSpec().getVersions().get(0);
    String first = RuntimeConfigFactory.render(md, v);
    assertThat(RuntimeConfigFactory.render(md, v)).isEqualTo(first);

    v.getModel().setUri("https://models.example.com/iris/2/model.onnx");
    assertThat(RuntimeConfigFactory.hash(RuntimeConfigFactory.render(md, v)))
        .isEqualTo(RuntimeConfigFactory.hash(first)); // https always lands in /models/model.onnx
    v.getModel().setSha256("a".repeat(64));
    assertThat(RuntimeConfigFactory.hash(RuntimeConfigFactory.render(md, v)))
        .isNotEqualTo(RuntimeConfigFactory.hash(first));
  }

  @Test
  void pvcModelsAreServedFromTheMountAndUpperCaseDigestsAreLowered() {
    var md =
        TestingModelDeployments.md(
            "fraud",
            TestingModelDeployments.version(
                "v2", "pvc://models/fraud/2/model.onnx", "AB".repeat(32), null, null, null));
    String rendered = RuntimeConfigFactory.render(md, md.getSpec().getVersions().get(0));
    assertThat(rendered)
        .contains("uri: file:///models/pvc/fraud/2/model.onnx")
        .contains("sha256: " + "ab".repeat(32))
        .contains("name: fraud")
        .contains("version: v2");
  }
}
