package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The API server itself refuses bad ModelDeployments, naming the field (schema and CEL). */
@ExtendWith(TestWorldExtension.class)
class ValidationIT {

  private static final String SHA = "a".repeat(64);

  static String md(String name, String versions) {
    return """
        apiVersion: serving.starling.dev/v1alpha1
        kind: ModelDeployment
        metadata:
          name: %s
        spec:
          versions:
        %s
        """
        .formatted(name, versions.indent(4));
  }

  /** md(...) with spec.traffic set to the given YAML. */
  static String withTraffic(String md, String traffic) {
    return md + "  traffic:\n" + traffic.indent(4);
  }

  static String v(String name, String uri, String extra) {
    return """
        - name: %s
          model:
            uri: %s
        %s"""
        .formatted(name, uri, extra.indent(2));
  }

  static String vSha(String name, String sha256) {
    return """
        - name: %s
          model:
            uri: %s
            sha256: "%s"
        """
        .formatted(name, OK_URI, sha256);
  }

  static final String OK_URI = "https://m.example.com/a.onnx";

  /** One version whose model has the given uri and caBundleRef (flow-style YAML). */
  static String withCa(String uri, String caBundleRef) {
    return md(
        "a",
        """
        - name: v1
          model:
            uri: %s
            caBundleRef: %s
        """
            .formatted(uri, caBundleRef));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "weights do not sum to 100",
            md("a", v("v1", OK_URI, "weight: 50") + v("v2", OK_URI, "weight: 40")),
            "spec.versions",
            "weights must sum to 100"),
        Arguments.of(
            "router minReplicas above maxReplicas",
            withTraffic(
                md("a", v("v1", OK_URI, "")),
                "router: {autoscaling: {minReplicas: 4, maxReplicas: 2}}"),
            "spec.traffic.router.autoscaling.minReplicas",
            "minReplicas must be less than or equal to maxReplicas"),
        Arguments.of(
            "router minReplicas zero",
            withTraffic(md("a", v("v1", OK_URI, "")), "router: {autoscaling: {minReplicas: 0}}"),
            "spec.traffic.router.autoscaling.minReplicas",
            "greater than or equal to 1"),
        Arguments.of(
            "version scale-down window above an hour",
            md("a", v("v1", OK_URI, "autoscaling: {scaleDownStabilizationWindowSeconds: 3601}")),
            "spec.versions[0].autoscaling.scaleDownStabilizationWindowSeconds",
            "less than or equal to 3600"),
        Arguments.of(
            "version scale-down window below zero",
            md("a", v("v1", OK_URI, "autoscaling: {scaleDownStabilizationWindowSeconds: -1}")),
            "spec.versions[0].autoscaling.scaleDownStabilizationWindowSeconds",
            "greater than or equal to 0"),
        Arguments.of(
            "router scale-down window above an hour",
            withTraffic(
                md("a", v("v1", OK_URI, "")),
                "router: {autoscaling: {scaleDownStabilizationWindowSeconds: 3601}}"),
            "spec.traffic.router.autoscaling.scaleDownStabilizationWindowSeconds",
            "less than or equal to 3600"),
        Arguments.of(
            "router scale-down window below zero",
            withTraffic(
                md("a", v("v1", OK_URI, "")),
                "router: {autoscaling: {scaleDownStabilizationWindowSeconds: -1}}"),
            "spec.traffic.router.autoscaling.scaleDownStabilizationWindowSeconds",
            "greater than or equal to 0"),
        Arguments.of(
            "two versions without weights",
            md("a", v("v1", OK_URI, "") + v("v2", OK_URI, "")),
            "spec.versions",
            "weights must sum to 100"),
        Arguments.of(
            "minReplicas above maxReplicas",
            md("a", v("v1", OK_URI, "autoscaling: {minReplicas: 5, maxReplicas: 2}")),
            "spec.versions[0].autoscaling.minReplicas",
            "less than or equal to maxReplicas"),
        Arguments.of(
            "http scheme",
            md("a", v("v1", "http://m.example.com/a.onnx", "")),
            "spec.versions[0].model.uri",
            "must be https://"),
        Arguments.of(
            "s3 scheme",
            md("a", v("v1", "s3://bucket/a.onnx", "")),
            "spec.versions[0].model.uri",
            "must be https://"),
        Arguments.of(
            "pvc without path",
            md("a", v("v1", "pvc://claim", "")),
            "spec.versions[0].model.uri",
            "pvc://<claim>/<path>"),
        Arguments.of(
            "sha256 too short",
            md("a", vSha("v1", SHA.substring(1))),
            "spec.versions[0].model.sha256",
            "64 hexadecimal"),
        Arguments.of(
            "sha256 not hex",
            md("a", vSha("v1", "g".repeat(64))),
            "spec.versions[0].model.sha256",
            "64 hexadecimal"),
        Arguments.of(
            "version name not a DNS label",
            md("a", v("V1_x", OK_URI, "")),
            "spec.versions[0].name",
            "should match"),
        Arguments.of(
            "version name too long",
            md("a", v("v1234567890123456", OK_URI, "")),
            "spec.versions[0].name",
            "15"),
        Arguments.of("no versions", md("a", "[]"), "spec.versions", "should have at least 1 items"),
        Arguments.of(
            "a CA bundle for a model that is not downloaded",
            withCa("file:///models/a.onnx", "{name: models-ca}"),
            "spec.versions[0].model.caBundleRef",
            "caBundleRef applies only to an https:// uri"),
        Arguments.of(
            "a CA ConfigMap name that is not a DNS subdomain",
            withCa(OK_URI, "{name: Models_CA}"),
            "spec.versions[0].model.caBundleRef.name",
            "should match"),
        Arguments.of(
            "a CA ConfigMap without a name",
            withCa(OK_URI, "{key: ca.crt}"),
            "spec.versions[0].model.caBundleRef.name",
            "Required value"),
        Arguments.of(
            "a CA key that is not a ConfigMap key",
            withCa(OK_URI, "{name: models-ca, key: certs/ca.crt}"),
            "spec.versions[0].model.caBundleRef.key",
            "should match"),
        Arguments.of(
            "feedback ttl of zero",
            md("a", v("v1", OK_URI, "drift: {feedback: {enabled: true, ttl: 0s}}")),
            "spec.versions[0].drift.feedback.ttl",
            "must be longer than 0s"),
        Arguments.of(
            "feedback remembering nothing",
            md("a", v("v1", OK_URI, "drift: {feedback: {enabled: true, maxEntries: 0}}")),
            "spec.versions[0].drift.feedback.maxEntries",
            "greater than or equal to 1"),
        Arguments.of(
            "eleven versions",
            md(
                "a",
                Stream.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k")
                    .map(n -> v(n, OK_URI, "weight: " + (n.equals("a") ? 100 : 0)))
                    .reduce("", String::concat)),
            "spec.versions",
            "must have at most 10 items"),
        Arguments.of(
            "weight above 100",
            md("a", v("v1", OK_URI, "weight: 101")),
            "spec.versions[0].weight",
            "less than or equal to 100"),
        Arguments.of(
            "negative weight",
            md("a", v("v1", OK_URI, "weight: -1") + v("v2", OK_URI, "weight: 101")),
            "spec.versions[0].weight",
            "greater than or equal to 0"),
        Arguments.of(
            "duplicate version names",
            md("a", v("v1", OK_URI, "weight: 50") + v("v1", OK_URI, "weight: 50")),
            "spec.versions[1]",
            "Duplicate value"),
        Arguments.of(
            "missing model",
            md("a", "- name: v1\n  weight: 100\n"),
            "spec.versions[0].model",
            "Required value"),
        Arguments.of(
            "minReplicas zero",
            md("a", v("v1", OK_URI, "autoscaling: {minReplicas: 0}")),
            "spec.versions[0].autoscaling.minReplicas",
            "greater than or equal to 1"),
        Arguments.of(
            "name starting with a digit",
            md("1fraud", v("v1", OK_URI, "")),
            "metadata.name",
            "DNS-1035"),
        Arguments.of(
            "name too long for child Services",
            md("a".repeat(48), v("v1", OK_URI, "")),
            "metadata.name",
            "at most 47 characters"),
        Arguments.of(
            "pinned for testing without a pin header",
            md(
                "a",
                v("v1", OK_URI, "weight: 100")
                    + v("v2", OK_URI, "weight: 0\npinnedForTesting: true")),
            "spec.versions",
            "pinnedForTesting needs traffic.pinHeader"),
        Arguments.of(
            "unknown CPU target",
            md("a", v("v1", OK_URI, "autoscaling: {targetCPUUtilizationPercentage: 0}")),
            "spec.versions[0].autoscaling.targetCPUUtilizationPercentage",
            "greater than or equal to 1"),
        Arguments.of(
            "category feature without values",
            withSignature("features: [{name: country, type: category}]"),
            "spec.signature.features[0].values",
            "a category feature needs its values"),
        Arguments.of(
            "bool feature with a numeric default",
            withSignature("features: [{name: foreign, type: bool, default: \"3\"}]"),
            "spec.signature.features[0].default",
            "default must fit the type"),
        Arguments.of(
            "number feature with a string default",
            withSignature("features: [{name: amount, default: high}]"),
            "spec.signature.features[0].default",
            "default must fit the type"),
        Arguments.of(
            "int feature with a fractional default, on a version",
            md(
                "a",
                v(
                    "v1",
                    OK_URI,
                    "signature: {features: [{name: age, type: int, default: \"35.5\"}]}")),
            "spec.versions[0].signature.features[0].default",
            "default must fit the type"),
        Arguments.of(
            "default written as a YAML number",
            withSignature("features: [{name: age, type: int, default: 35}]"),
            "spec.signature.features[0].default",
            "must be of type string"),
        Arguments.of(
            "category default that is not one of its values",
            withSignature("features: [{name: c, type: category, values: [US, DE], default: FR}]"),
            "spec.signature.features[0].default",
            "default must fit the type"),
        Arguments.of(
            "unknown feature type",
            withSignature("features: [{name: note, type: text}]"),
            "spec.signature.features[0].type",
            "must be float, int, bool or category"),
        Arguments.of(
            "feature named twice",
            withSignature("features: [{name: age}, {name: age, type: int}]"),
            "spec.signature.features[1]",
            "Duplicate value"),
        Arguments.of(
            "feature min above max",
            withSignature("features: [{name: age, min: 120, max: 18}]"),
            "spec.signature.features[0].min",
            "min must not be above max"),
        Arguments.of(
            "feature name that is no JSON-friendly identifier",
            withSignature("features: [{name: \"1st value\"}]"),
            "spec.signature.features[0].name",
            "should match"),
        Arguments.of(
            "topK 0",
            withSignature("labels: [a, b]\ntopK: 0"),
            "spec.signature.topK",
            "greater than or equal to 1"),
        Arguments.of(
            "more than 1000 labels",
            withSignature("labels: " + labels(1001)),
            "spec.signature.labels",
            "must have at most 1000 items"));
  }

  /** One version and spec.signature set to the given YAML. */
  static String withSignature(String signature) {
    return md("a", v("v1", OK_URI, "")) + "  signature:\n" + signature.indent(4);
  }

  static String labels(int n) {
    return java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> "l" + i)
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  @org.junit.jupiter.api.Test
  void anHttpsModelWithACaBundleIsAccepted(TestNamespace ns) {
    ns.createYaml(withCa(OK_URI, "{name: models-ca, key: root.pem}"));
  }

  @org.junit.jupiter.api.Test
  void aSignatureWithADefaultOfEachTypeIsAccepted(TestNamespace ns) {
    ns.createYaml(
        withSignature(
            """
            features:
              - {name: amount, min: 0, default: "12.5"}
              - {name: score, default: "-1e-3"}
              - {name: age, type: int, default: "35"}
              - {name: foreign_ip, type: bool, default: "false"}
              - {name: country, type: category, values: [US, DE], default: DE}
            labels: [legit, fraud]
            topK: 1
            """));
  }

  /** Both ends of the scale-down window (0..3600 s) are allowed, on a version and the router. */
  @org.junit.jupiter.api.Test
  void scaleDownWindowsAtTheirBoundsAreAccepted(TestNamespace ns) {
    ns.createYaml(
        withTraffic(
            md("a", v("v1", OK_URI, "autoscaling: {scaleDownStabilizationWindowSeconds: 3600}")),
            "router: {autoscaling: {scaleDownStabilizationWindowSeconds: 0}}"));
    ns.createYaml(
        withTraffic(
            md("b", v("v1", OK_URI, "autoscaling: {scaleDownStabilizationWindowSeconds: 0}")),
            "router: {autoscaling: {scaleDownStabilizationWindowSeconds: 3600}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void apiServerRefusesWithAMessageNamingTheField(
      String why, String yaml, String field, String message, TestNamespace ns) {
    assertThatThrownBy(() -> ns.createYaml(yaml))
        .as(why)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> org.assertj.core.api.Assertions.assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining(field)
        .hasMessageContaining(message);
  }
}
