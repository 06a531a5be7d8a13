package dev.starling.operator.status;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChildRefusalTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");
  private static final String QUOTA =
      "configmaps \"fraud-v1\" is forbidden: exceeded quota: no-configmaps, requested:"
          + " configmaps=1, used: configmaps=0, limited: configmaps=0";

  /** What fabric8 throws when the API server refuses a server-side apply. */
  static KubernetesClientException refused(int code, String kind, String name, String message) {
    return new KubernetesClientException(
        new StatusBuilder()
            .withCode(code)
            .withMessage(message)
            .withNewDetails()
            .withKind(kind)
            .withName(name)
            .endDetails()
            .build());
  }

  /** What JOSDK hands to updateErrorStatus when dependents failed. */
  static AggregatedOperatorException workflowFailed(Map<String, Exception> byDependent) {
    return new AggregatedOperatorException("Exception(s) during workflow execution.", byDependent);
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(403, QUOTA, "QuotaExceeded"),
        Arguments.of(
            403,
            "configmaps \"fraud-v1\" is forbidden: User \"x\" cannot patch resource",
            "ChildForbidden"),
        Arguments.of(422, "ConfigMap \"fraud-v1\" is invalid: data: Too long", "ChildInvalid"),
        Arguments.of(400, "the body of the request was in an unknown format", "ChildRefused"));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("refusals")
  void refusalNamesObjectAndQuotesApiServer(int code, String apiMessage, String reason) {
    var failure =
        workflowFailed(
            Map.of(
                "ConfigMapDependent",
                new RuntimeException(
                    "apply failed", refused(code, "configmaps", "fraud-v1", apiMessage))));

    Optional<ChildRefusal> refusal = ChildRefusal.of(failure);

    assertThat(refusal).isPresent();
    assertThat(refusal.get().reason()).isEqualTo(reason);
    assertThat(refusal.get().message())
        .isEqualTo("could not apply configmaps/fraud-v1: " + apiMessage);
  }

  @Test
  void failuresThatAreNotRefusalsAreLeftToDefaultProcessing() {
    assertThat(ChildRefusal.of(new IllegalStateException("boom"))).isEmpty();
    assertThat(ChildRefusal.of(workflowFailed(Map.of("d", refused(500, "x", "y", "etcd down")))))
        .isEmpty();
    assertThat(ChildRefusal.of(new KubernetesClientException("connection refused"))).isEmpty();
    // transient: a conflict, something gone, throttling
    for (int code : new int[] {404, 409, 429}) {
      assertThat(ChildRefusal.of(workflowFailed(Map.of("d", refused(code, "x", "y", "busy")))))
          .isEmpty();
    }
  }

  @Test
  void sameDependentChosenWhateverTheMapOrder() {
    var a = refused(403, "configmaps", "fraud-v1", QUOTA);
    var b = refused(422, "services", "fraud-v1", "Service \"fraud-v1\" is invalid");
    assertThat(
            ChildRefusal.of(workflowFailed(Map.of("ConfigMapDependent", a, "ServiceDependent", b))))
        .map(ChildRefusal::reason)
        .contains("QuotaExceeded");
  }

  @Test
  void statusIsDegradedAndNotReadyKeepingWhatWasReported() {
    ModelDeployment md = fraud();
    md.getMetadata().setGeneration(3L);
    ModelDeploymentStatus previous = new ModelDeploymentStatus();
    previous.setUrl("http://fraud.ml.svc:8080");
    previous.setSummary("v1=100% 1/1");
    previous
        .getConditions()
        .add(Conditions.of(Conditions.PROGRESSING, false, "RolloutComplete", "done", 2, null, T0));
    md.setStatus(previous);
    ChildRefusal refusal = new ChildRefusal("QuotaExceeded", "could not apply configmaps/x: no");

    ModelDeploymentStatus status = refusal.status(md, T0);

    assertThat(status.getObservedGeneration()).isEqualTo(3L);
    assertThat(status.getUrl()).isEqualTo("http://fraud.ml.svc:8080");
    assertThat(status.getSummary()).isEqualTo("v1=100% 1/1");
    Condition ready = Conditions.find(status.getConditions(), Conditions.READY).orElseThrow();
    Condition degraded = Conditions.find(status.getConditions(), Conditions.DEGRADED).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("QuotaExceeded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getMessage()).isEqualTo("could not apply configmaps/x: no");
    assertThat(Conditions.find(status.getConditions(), Conditions.PROGRESSING).orElseThrow())
        .isEqualTo(previous.getConditions().get(0));

    // a retry with the same refusal writes the very same status (no write, no new Event)
    md.setStatus(status);
    assertThat(refusal.status(md, T1)).isEqualTo(status);
  }
}
