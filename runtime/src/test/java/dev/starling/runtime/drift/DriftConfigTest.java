package dev.starling.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.ConfigLoader;
import dev.starling.runtime.config.ConfigValidator;
import dev.starling.runtime.config.DriftConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The drift section of runtime.yaml: defaults, and errors that name the field. */
class DriftConfigTest {
  static final String ONE = "\nmodels: [{name: a, source: {uri: x}}]";
  static final String TWO = "\nmodels: [{name: a, source: {uri: x}}, {name: b, source: {uri: y}}]";

  @TempDir Path dir;

  @Test
  void defaults() {
    RuntimeConfig c =
        ConfigLoader.parse("drift: {reference: /etc/starling/drift/profile.json}" + ONE, "r");
    assertThat(c.drift().enabled()).isTrue();
    assertThat(c.drift().window()).isEqualTo(2000);
    assertThat(c.drift().feedback().enabled()).isFalse();
    assertThat(c.drift().feedback().maxEntries()).isEqualTo(100_000);
    assertThat(c.drift().feedback().ttl()).isEqualTo(Duration.ofHours(1));
    assertThat(ConfigLoader.parse(ONE, "r").drift().enabled()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "drift: {reference: p.json, window: 5}" + "|" + "drift.window: must be 10..1000000",
        "drift: {reference: p.json, model: zz}"
            + "|"
            + "drift.model: 'zz' is not one of the served models",
        "drift: {feedback: {enabled: true, maxEntries: 0}}" + "|" + "drift.feedback.maxEntries",
        "drift: {feedback: {enabled: true, ttl: 0s}}"
            + "|"
            + "drift.feedback.ttl: must be positive",
        "drift: {reference: ''}" + "|" + "drift.reference: must not be blank",
      })
  void validationErrorsNameTheField(String yaml, String message) {
    RuntimeConfig c = ConfigLoader.parse(yaml + ONE, "runtime.yaml");
    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void severalModelsNeedDriftModel() {
    RuntimeConfig c = ConfigLoader.parse("drift: {reference: p.json}" + TWO, "runtime.yaml");
    assertThatThrownBy(() -> ConfigValidator.validate(c)).hasMessageContaining("drift.model: name");
    ConfigValidator.validate(ConfigLoader.parse("drift: {reference: p.json, model: b}" + TWO, "r"));
  }

  @Test
  void bindingErrorsNameTheField() {
    assertThatThrownBy(() -> ConfigLoader.parse("drift: {windw: 5}" + ONE, "runtime.yaml"))
        .hasMessageContaining("unknown field 'drift.windw'");
    assertThatThrownBy(() -> ConfigLoader.parse("drift: {feedback: {ttl: soon}}" + ONE, "r"))
        .hasMessageContaining("field 'drift.feedback.ttl'");
  }

  @Test
  void anUnreadableOrMismatchedProfileStopsTheStartWithTheField() throws Exception {
    RuntimeConfig missing = withDrift(dir.resolve("nope.json").toString(), "fraud");
    assertThatThrownBy(() -> TestingServer.samples(missing))
        .extracting(DriftConfigTest::configError)
        .asString()
        .contains("drift.reference: cannot read");
    Path notAProfile = Files.writeString(dir.resolve("x.json"), "{\"format\": \"other\"}");
    assertThatThrownBy(() -> TestingServer.samples(withDrift(notAProfile.toString(), "fraud")))
        .extracting(DriftConfigTest::configError)
        .asString()
        .contains("drift.reference")
        .contains("not a reference profile");
    Path iris =
        Files.writeString(
            dir.resolve("iris.json"),
            "{\"format\": \""
                + ReferenceProfile.FORMAT
                + "\", \"model\": \"iris\", \"rows\": 1,"
                + " \"features\": [{\"name\": \"sepal_length\", \"kind\": \"numeric\","
                + " \"edges\": [5.0], \"proportions\": [0.5, 0.5]}]}");
    assertThatThrownBy(() -> TestingServer.samples(withDrift(iris.toString(), "fraud")))
        .extracting(DriftConfigTest::configError)
        .asString()
        .contains("drift.reference: the profile's features [sepal_length]")
        .contains("amount");
  }

  private static RuntimeConfig withDrift(String reference, String model) {
    return new RuntimeConfig(null, null, null, null, null)
        .withDrift(new DriftConfig(reference, model, null, null));
  }

  /** The message of the ConfigException in a failure's cause chain (wrapped or not). */
  static String configError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConfigException) {
        return c.getMessage();
      }
    }
    return "no ConfigException in " + t;
  }
}
