package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The API server refuses bad batching, cache, inference, auth, rate-limit and drift settings,
 * naming the field, and keeps the user's spec as written (no defaults filled in).
 */
@ExtendWith(TestWorldExtension.class)
class ProductionValidationIT {

  /** A one-version ModelDeployment with {@code specExtra} under spec and {@code versionExtra}. */
  static String md(String specExtra, String versionExtra) {
    return """
        apiVersion: serving.starling.dev/v1alpha1
        kind: ModelDeployment
        metadata:
          name: a
        spec:
        %s
          versions:
            - name: v1
              model:
                uri: https://m.example.com/a.onnx
        %s
        """
        .formatted(specExtra.indent(2), versionExtra.indent(6));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            md("batching: {maxBatchSize: 0}", ""),
            "spec.batching.maxBatchSize",
            "greater than or equal to 1"),
        Arguments.of(
            md("", "batching: {maxBatchSize: 5000}"),
            "spec.versions[0].batching.maxBatchSize",
            "less than or equal to 4096"),
        Arguments.of(
            md("batching: {maxDelay: 2s}", ""), "spec.batching.maxDelay", "must be at most 1s"),
        Arguments.of(
            md("batching: {maxDelay: soon}", ""), "spec.batching.maxDelay", "should match"),
        Arguments.of(
            md("batching: {maxDelay: PT1S}", ""), "spec.batching.maxDelay", "should match"),
        Arguments.of(md("cache: {ttl: 0s}", ""), "spec.cache.ttl", "must be longer than 0s"),
        Arguments.of(
            md("", "cache: {maxEntries: -1}"),
            "spec.versions[0].cache.maxEntries",
            "greater than or equal to 0"),
        Arguments.of(
            md("inference: {maxInflight: 0}", ""),
            "spec.inference.maxInflight",
            "greater than or equal to 1"),
        Arguments.of(
            md("", "inference: {niceness: 20}"),
            "spec.versions[0].inference.niceness",
            "less than or equal to 19"),
        Arguments.of(
            md("inference: {niceness: -1}", ""),
            "spec.inference.niceness",
            "greater than or equal to 0"),
        Arguments.of(
            md("inference: {inflightLimit: queue}", ""),
            "spec.inference.inflightLimit",
            "should match"),
        Arguments.of(
            md("auth: {protectMetrics: true}", ""), "spec.auth.apiKeysSecretRef", "Required"),
        Arguments.of(
            md("auth: {apiKeysSecretRef: {name: Bad_Name}}", ""),
            "spec.auth.apiKeysSecretRef.name",
            "should match"),
        Arguments.of(
            md("rateLimit: {requestsPerSecond: 0}", ""),
            "spec.rateLimit.requestsPerSecond",
            "greater than 0"),
        Arguments.of(
            md("rateLimit: {burst: 10}", ""), "spec.rateLimit.requestsPerSecond", "Required"),
        Arguments.of(
            md("rateLimit: {requestsPerSecond: 5, burst: 0}", ""),
            "spec.rateLimit.burst",
            "greater than or equal to 1"),
        Arguments.of(
            md("rateLimit: {requestsPerSecond: 5, maxClients: 0}", ""),
            "spec.rateLimit.maxClients",
            "greater than or equal to 1"),
        Arguments.of(
            md("auth: {apiKeysSecretRef: {name: keys}, reloadInterval: 50ms}", ""),
            "spec.auth.reloadInterval",
            "must be at least 100ms"),
        Arguments.of(
            md("auth: {apiKeysSecretRef: {name: keys}, reloadInterval: 1 s}", ""),
            "spec.auth.reloadInterval",
            "should match"),
        Arguments.of(
            md("drift: {window: 5}", ""), "spec.drift.window", "greater than or equal to 10"),
        Arguments.of(
            md("", "drift: {referenceProfile: {key: profile.json}}"),
            "spec.versions[0].drift.referenceProfile.name",
            "Required"));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @MethodSource("invalid")
  void apiServerRefusesWithAMessageNamingTheField(
      String yaml, String field, String message, TestNamespace ns) {
    assertThatThrownBy(() -> ns.createYaml(yaml))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining(field)
        .hasMessageContaining(message);
  }

  @Test
  void validSettingsAreStoredAsWrittenWithoutDefaults(TestNamespace ns) {
    var created =
        ns.createYaml(
            md(
                "batching: {maxBatchSize: 32, maxDelay: 1s}\n"
                    + "cache: {maxEntries: 0}\n"
                    + "rateLimit: {requestsPerSecond: 0.5}\n"
                    + "auth: {apiKeysSecretRef: {name: keys}}\n"
                    + "drift: {referenceProfile: {name: p}}",
                "batching: {maxDelay: 500ms}"));
    var spec = (java.util.Map<?, ?>) created.getAdditionalProperties().get("spec");
    assertThat(spec.get("batching").toString()).isEqualTo("{maxBatchSize=32, maxDelay=1s}");
    assertThat(spec.get("cache").toString()).isEqualTo("{maxEntries=0}");
    assertThat(spec.get("rateLimit").toString()).isEqualTo("{requestsPerSecond=0.5}");
    assertThat(spec.get("auth").toString()).isEqualTo("{apiKeysSecretRef={name=keys}}");
    assertThat(spec.get("drift").toString()).isEqualTo("{referenceProfile={name=p}}");
  }
}
