package dev.starling.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.pipeline.SignatureBinding;
import dev.starling.runtime.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The operator→runtime contract files parse, validate and bind to the expected values. */
class RuntimeConfigContractTest {

  static Stream<Path> contractFiles() throws IOException {
    return Files.list(Samples.repoRoot().resolve("contract/runtime"))
        .filter(p -> p.toString().endsWith(".yaml"))
        .sorted();
  }

  @ParameterizedTest
  @MethodSource("contractFiles")
  void everyContractExampleParsesAndValidates(Path file) {
    RuntimeConfig c = ConfigValidator.validate(ConfigLoader.load(file));
    assertThat(c.models()).isNotEmpty();
    assertThat(c.models().get(0).source().uri()).isNotBlank();
  }

  @Test
  void operatorProductionExampleBindsEverySettingTheCrdExposes() {
    // the exact bytes the operator renders for samples/fraud-production.yaml (its own contract
    // test and ProductionSettingsIT compare against this file)
    RuntimeConfig c =
        ConfigValidator.validate(
            ConfigLoader.load(
                Samples.repoRoot().resolve("contract/runtime/operator-production.yaml")));
    ModelConfig m = c.models().get(0);
    assertThat(m.batching()).isEqualTo(new BatchingConfig(32, Duration.ofMillis(2)));
    assertThat(m.cache()).isEqualTo(new CacheConfig(10_000L, Duration.ofMinutes(10)));
    assertThat(c.inference().maxInflight()).isEqualTo(256);
    assertThat(c.inference().niceness()).isEqualTo(4);
    assertThat(c.auth().apiKeysFile()).isEqualTo("/etc/starling/api-keys/api-keys");
    assertThat(c.auth().protectMetrics()).isFalse();
    assertThat(c.auth().reloadInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.rateLimit().requestsPerSecond()).isEqualTo(200.0);
    assertThat(c.rateLimit().burst()).isEqualTo(400);
    assertThat(c.rateLimit().maxClients()).isEqualTo(50_000);
    assertThat(c.drift().reference()).isEqualTo("/etc/starling/drift/profile.json");
    assertThat(c.drift().model()).isEqualTo(m.name());
    assertThat(c.drift().window()).isEqualTo(2000);
    // spec.drift.feedback: on, ttl from the spec, the other fields the runtime's defaults
    assertThat(c.drift().feedback())
        .isEqualTo(new FeedbackConfig(true, null, Duration.ofMinutes(30), null));
    // spec.signature, rendered: the bundled fraud model's own signature file, and it binds to it
    assertThat(m.signature()).isEqualTo(Samples.signature("fraud"));
    try (OnnxModel fraud = OnnxModel.load(Samples.model("fraud"), "test", 1)) {
      SignatureBinding b = SignatureBinding.bind(m.signature(), fraud.signature());
      assertThat(b).isNotNull();
    }
  }

  @Test
  void minimalExampleGetsTheDocumentedDefaults() {
    RuntimeConfig c =
        ConfigLoader.load(Samples.repoRoot().resolve("contract/runtime/minimal.yaml"));
    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.server().maxRequestBytes()).isEqualTo(4L * 1024 * 1024);
    assertThat(c.limits().maxJsonDepth()).isEqualTo(32);
    assertThat(c.inference().intraOpThreads()).isEqualTo(1);
    assertThat(c.logging().format()).isEqualTo("json");
    assertThat(c.models().get(0).version()).isEqualTo("1");
    // batching unset: opportunistic (queued requests of a long model merged, up to 32 rows)
    BatchingConfig b = c.models().get(0).batching();
    assertThat(b).isEqualTo(BatchingConfig.DEFAULT);
    assertThat(b.opportunistic()).isTrue();
    assertThat(b.maxBatchSize()).isEqualTo(32);
    assertThat(b.maxDelay()).isZero();
  }

  @Test
  void fraudExampleBindsFeaturesAndLabels() {
    RuntimeConfig c = ConfigLoader.load(Samples.repoRoot().resolve("contract/runtime/fraud.yaml"));
    SignatureConfig s = c.models().get(0).signature();
    assertThat(s.features())
        .extracting(FeatureConfig::name)
        .containsExactly("amount", "age", "account_age_days", "country", "foreign_ip");
    assertThat(s.features().get(3).type()).isEqualTo(FeatureConfig.FeatureType.CATEGORY);
    assertThat(s.features().get(1).defaultValue()).isEqualTo(35);
    assertThat(s.labels()).containsExactly("legit", "fraud");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "models: [{name: a, sourc: {uri: x}}]|unknown field 'models[0].sourc'",
        "server: {shutdownGracePeriod: soon}|field 'server.shutdownGracePeriod'",
        "server: {port: eighty}|field 'server.port'",
        "models: [{name: a, source: {uri: x}, signature: {features: [{name: f, type: text}]}}]|field 'models[0].signature.features[0].type'",
      })
  void bindingErrorsNameTheField(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, "runtime.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  static Stream<Arguments> invalidConfigs() {
    String m = "\nmodels: [{name: a, source: {uri: x}}]";
    return Stream.of(
        Arguments.of("models: []", "models: at least one model"),
        Arguments.of("models: [{name: \"a b\", source: {uri: x}}]", "models[0].name"),
        Arguments.of(
            "models: [{name: a, source: {uri: x}}, {name: a, source: {uri: y}}]",
            "models[1].name: 'a' is used"),
        Arguments.of("models: [{name: a}]", "models[0].source.uri: required"),
        Arguments.of(
            "models: [{name: a, source: {uri: \"http://x/m.onnx\"}}]",
            "models[0].source.uri: plain http"),
        Arguments.of(
            "models: [{name: a, source: {uri: x, sha256: abc}}]", "models[0].source.sha256"),
        Arguments.of("server: {port: 70000}" + m, "server.port"),
        Arguments.of("limits: {maxJsonDepth: 0}" + m, "limits.maxJsonDepth"),
        Arguments.of("logging: {format: xml}" + m, "logging.format"),
        Arguments.of(
            "inference: {inflightLimit: queue}" + m,
            "inference.inflightLimit: must be fixed or adaptive, got 'queue'"),
        Arguments.of(
            "models: [{name: a, source: {uri: x}, signature: {features: [{name: c, type: category}]}}]",
            "models[0].signature.features[0].values"),
        Arguments.of(
            "models: [{name: a, source: {uri: x}, signature: {topK: 0}}]",
            "models[0].signature.topK"));
  }

  @ParameterizedTest
  @MethodSource("invalidConfigs")
  void validationErrorsNameTheField(String yaml, String message) {
    RuntimeConfig c = ConfigLoader.parse(yaml, "runtime.yaml");
    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void durationsAcceptCommonSpellings() {
    assertThat(List.of("500ms", "20s", "2m", "1h", "PT3S").stream().map(Durations::parse))
        .containsExactly(
            Duration.ofMillis(500),
            Duration.ofSeconds(20),
            Duration.ofMinutes(2),
            Duration.ofHours(1),
            Duration.ofSeconds(3));
  }
}
