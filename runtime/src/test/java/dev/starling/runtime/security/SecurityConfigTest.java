package dev.starling.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.config.AuthConfig;
import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.ConfigLoader;
import dev.starling.runtime.config.ConfigValidator;
import dev.starling.runtime.config.RateLimitConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The auth and rateLimit sections of runtime.yaml: defaults, and errors that name the field. */
class SecurityConfigTest {
  static final String MODEL = "\nmodels: [{name: a, source: {uri: x}}]";

  @TempDir Path dir;

  @Test
  void sectionsAreOffByDefaultAndGetTheirDefaultsWhenOn() {
    RuntimeConfig off = ConfigLoader.parse(MODEL, "runtime.yaml");
    assertThat(off.auth().enabled()).isFalse();
    assertThat(off.rateLimit().enabled()).isFalse();
    RuntimeConfig on =
        ConfigLoader.parse(
            "auth: {apiKeysFile: /etc/starling/api-keys/keys}\nrateLimit: {requestsPerSecond: 2.5}"
                + MODEL,
            "runtime.yaml");
    assertThat(on.auth().protectMetrics()).isFalse();
    assertThat(on.auth().reloadInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(on.rateLimit().burst()).isEqualTo(3);
    assertThat(on.rateLimit().maxClients()).isEqualTo(100_000);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "auth: {apiKeyFile: k}|unknown field 'auth.apiKeyFile'",
        "auth: {reloadInterval: often}|field 'auth.reloadInterval'",
        "rateLimit: {requestsPerSecond: fast}|field 'rateLimit.requestsPerSecond'",
        "rateLimit: {burst: 1.5x}|field 'rateLimit.burst'",
      })
  void bindingErrorsNameTheField(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml + MODEL, "runtime.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "auth: {apiKeysFile: ' '}|auth.apiKeysFile: must not be blank",
        "auth: {apiKeysFile: k, reloadInterval: 10ms}|auth.reloadInterval: must be at least 100ms",
        "rateLimit: {requestsPerSecond: 0}|rateLimit.requestsPerSecond: must be above 0",
        "rateLimit: {requestsPerSecond: -3}|rateLimit.requestsPerSecond: must be above 0",
        "rateLimit: {requestsPerSecond: 5, burst: 0}|rateLimit.burst: must be at least 1",
        "rateLimit: {requestsPerSecond: 5, maxClients: 0}|rateLimit.maxClients: must be at least 1",
      })
  void validationErrorsNameTheField(String yaml, String message) {
    RuntimeConfig c = ConfigLoader.parse(yaml + MODEL, "runtime.yaml");
    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({"50, 50.0, 50", "50:100, 50.0, 100", "0.5, 0.5, 1", "2.5:4, 2.5, 4"})
  void rateLimitFlagIsRpsOrRpsColonBurst(String flag, double rps, int burst) {
    RateLimitConfig c = RateLimitConfig.parse(flag, RateLimitConfig.defaults());
    assertThat(c.requestsPerSecond()).isEqualTo(rps);
    assertThat(c.burst()).isEqualTo(burst);
  }

  @ParameterizedTest
  @CsvSource({"fast", "5:", "5:10:20", ":5", "''"})
  void badRateLimitFlagsNameTheFlag(String flag) {
    assertThatThrownBy(() -> RateLimitConfig.parse(flag, RateLimitConfig.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--rate-limit");
  }

  @Test
  void aMissingOrBadKeyFileStopsTheStartWithTheField() throws Exception {
    RuntimeConfig missing =
        new RuntimeConfig(null, null, null, null, null)
            .withAuth(AuthConfig.defaults().withApiKeysFile(dir.resolve("nope").toString()));
    assertThatThrownBy(() -> TestingServer.samples(missing))
        .extracting(SecurityConfigTest::configError)
        .asString()
        .contains("auth.apiKeysFile: cannot read");
    Path bad = Files.writeString(dir.resolve("keys"), "alice:k-alice-0123456789abcdef\nbob\n");
    RuntimeConfig badFile =
        new RuntimeConfig(null, null, null, null, null)
            .withAuth(AuthConfig.defaults().withApiKeysFile(bad.toString()));
    assertThatThrownBy(() -> TestingServer.samples(badFile))
        .extracting(SecurityConfigTest::configError)
        .asString()
        .contains("auth.apiKeysFile")
        .contains("line 2: expected id:key")
        .doesNotContain("0123456789abcdef");
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
