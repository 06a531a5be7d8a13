package dev.starling.operator.status;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentStatus;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusAggregatorTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

  /** A Deployment with generation 2 and the given status numbers. */
  static Deployment deployment(
      long observedGeneration, int replicas, int updated, int ready, int available) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("x")
        .withGeneration(2L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observedGeneration)
        .withReplicas(replicas)
        .withUpdatedReplicas(updated)
        .withReadyReplicas(ready)
        .withAvailableReplicas(available)
        .endStatus()
        .build();
  }

  static Deployment healthy(int replicas) {
    return deployment(2, replicas, replicas, replicas, replicas);
  }

  static Map<String, VersionObservation> observe(Deployment v1, Deployment v2, PodProblem... p) {
    Map<String, VersionObservation> m = new HashMap<>();
    m.put("v1", new VersionObservation("v1", Optional.ofNullable(v1), List.of(p)));
    m.put("v2", new VersionObservation("v2", Optional.ofNullable(v2), List.of()));
    return m;
  }

  static Stream<Arguments> cases() {
    var crash = new PodProblem("CrashLoopBackOff", "pod x: runtime keeps exiting");
    return Stream.of(
        Arguments.of("nothing yet", observe(null, null), "False", "RollingOut", "True", "False"),
        Arguments.of(
            "all healthy",
            observe(healthy(2), healthy(1)),
            "True",
            "AllVersionsReady",
            "False",
            "False"),
        Arguments.of(
            "old generation observed",
            observe(deployment(1, 2, 2, 2, 2), healthy(1)),
            "False",
            "RollingOut",
            "True",
            "False"),
        Arguments.of(
            "new pods not available yet",
            observe(deployment(2, 3, 1, 2, 2), healthy(1)),
            "False",
            "RollingOut",
            "True",
            "False"),
        Arguments.of(
            "ready zero",
            observe(deployment(2, 1, 1, 0, 0), healthy(1)),
            "False",
            "RollingOut",
            "True",
            "False"),
        Arguments.of(
            "crash loop",
            observe(deployment(2, 1, 1, 0, 0), healthy(1), crash),
            "False",
            "CrashLoopBackOff",
            "True",
            "True"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conditionsFollowTheRules(
      String name,
      Map<String, VersionObservation> observed,
      String ready,
      String readyReason,
      String progressing,
      String degraded) {
    ModelDeploymentStatus s = StatusAggregator.aggregate(withGeneration(fraud(), 2), observed, T0);
    assertThat(condition(s, "Ready").getStatus()).isEqualTo(ready);
    assertThat(condition(s, "Ready").getReason()).isEqualTo(readyReason);
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo(progressing);
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo(degraded);
    assertThat(s.getObservedGeneration()).isEqualTo(2L);
    assertThat(s.getConditions()).allMatch(c -> c.getObservedGeneration() == 2L);
  }

  @Test
  void versionsCarryWeightReplicasAndSummary() {
    var md = fraud();
    md.getSpec().getVersions().get(0).getModel().setSha256("AB".repeat(32));
    ModelDeploymentStatus s = StatusAggregator.aggregate(md, observe(healthy(2), healthy(1)), T0);
    assertThat(s.getVersions()).hasSize(2);
    assertThat(s.getVersions().get(0).getWeight()).isEqualTo(90);
    assertThat(s.getVersions().get(0).getReadyReplicas()).isEqualTo(2);
    assertThat(s.getVersions().get(0).getModelSha256()).isEqualTo("ab".repeat(32));
    assertThat(s.getSummary()).isEqualTo("v1=90% 2/2, v2=10% 1/1");
    assertThat(s.getUrl()).isEqualTo("http://fraud.ml.svc:8080");
  }

  @Test
  void lastTransitionTimeKeptWhileStatusAndReasonHold() {
    var md = fraud();
    md.setStatus(StatusAggregator.aggregate(md, observe(healthy(2), healthy(1)), T0));
    ModelDeploymentStatus later =
        StatusAggregator.aggregate(md, observe(healthy(2), healthy(1)), T1);
    assertThat(later).isEqualTo(md.getStatus());
    assertThat(condition(later, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void lastTransitionTimeMovesWhenReasonChangesEvenIfStatusHolds() {
    var md = fraud();
    md.setStatus(StatusAggregator.aggregate(md, observe(null, null), T0)); // Ready False RollingOut
    var crash = new PodProblem("CrashLoopBackOff", "x");
    ModelDeploymentStatus later =
        StatusAggregator.aggregate(md, observe(deployment(2, 1, 1, 0, 0), healthy(1), crash), T1);
    assertThat(condition(later, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(later, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T00:05:00Z");
    // Progressing stayed True/RollingOut: its time is kept
    assertThat(condition(later, "Progressing").getLastTransitionTime())
        .isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void suspendedIsNotReadyButNotDegraded() {
    var md = fraud();
    md.getSpec().setSuspend(true);
    var zero = deployment(2, 0, 0, 0, 0);
    ModelDeploymentStatus s =
        StatusAggregator.aggregate(withGeneration(md, 2), observe(zero, zero), T0);
    assertThat(condition(s, "Ready").getReason()).isEqualTo("Suspended");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void replicaFailureOfTheDeploymentIsDegraded() {
    var d = healthy(1);
    d.getStatus()
        .setConditions(
            List.of(
                new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder()
                    .withType("ReplicaFailure")
                    .withStatus("True")
                    .withMessage("pods \"x\" is forbidden: violates PodSecurity")
                    .build()));
    ModelDeploymentStatus s =
        StatusAggregator.aggregate(withGeneration(fraud(), 2), observe(d, healthy(1)), T0);
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("ReplicaFailure");
    assertThat(condition(s, "Degraded").getMessage()).startsWith("v1: ").contains("PodSecurity");
  }

  @Test
  void canaryWithoutReadyReplicasHoldsWeightBackAndIsNotReady() {
    var md = withGeneration(fraud(), 2);
    var observed = observe(healthy(2), deployment(2, 1, 1, 0, 0));
    var plan = TrafficPlan.decide(md, Map.of("v1", 2, "v2", 0));
    ModelDeploymentStatus s =
        StatusAggregator.aggregate(md, observed, plan, Optional.empty(), Optional.empty(), T0);
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s, "WeightsApplied").getStatus()).isEqualTo("False");
    assertThat(condition(s, "WeightsApplied").getReason()).isEqualTo("NoReadyReplicas");
    assertThat(condition(s, "WeightsApplied").getMessage())
        .isEqualTo("weight held back: v2 wants 10% but gets 0% (NoReadyReplicas)");
    assertThat(s.getVersions().get(1).getHeldBack()).isEqualTo("NoReadyReplicas");
    assertThat(s.getVersions().get(1).getDesiredWeight()).isEqualTo(10);
    assertThat(s.getVersions().get(0).getWeight()).isEqualTo(100);
    assertThat(s.getSummary()).isEqualTo("v1=100%(90) 2/2, v2=0%(10) 0/1");
  }

  @Test
  void weightZeroVersionScaledToZeroDoesNotHoldReadyBack() {
    var md = withGeneration(fraud(), 2);
    md.getSpec().getVersions().get(0).setWeight(100);
    md.getSpec().getVersions().get(1).setWeight(0);
    var observed = observe(healthy(2), deployment(2, 0, 0, 0, 0));
    ModelDeploymentStatus s = StatusAggregator.aggregate(md, observed, T0);
    assertThat(condition(s, "Ready").getReason()).isEqualTo("AllVersionsReady");
    assertThat(condition(s, "WeightsApplied").getStatus()).isEqualTo("True");
  }

  @Test
  void routerWithoutReadyReplicasKeepsReadyFalse() {
    var md = withGeneration(fraud(), 2);
    var observed = observe(healthy(2), healthy(1));
    var plan = TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1));
    var router =
        new VersionObservation("router", Optional.of(deployment(2, 1, 1, 0, 0)), List.of());
    ModelDeploymentStatus s =
        StatusAggregator.aggregate(md, observed, plan, Optional.of(router), Optional.empty(), T0);
    assertThat(condition(s, "Ready").getReason()).isEqualTo("RollingOut");
    assertThat(condition(s, "Progressing").getMessage()).contains("router");
  }

  @Test
  void missingGatewayApiIsDegradedWithItsReason() {
    var md = withGeneration(fraud(), 2);
    var plan = TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1));
    var missing =
        new PodProblem(StatusAggregator.GATEWAY_API_NOT_INSTALLED, "CRD httproutes missing");
    ModelDeploymentStatus s =
        StatusAggregator.aggregate(
            md, observe(healthy(2), healthy(1)), plan, Optional.empty(), Optional.of(missing), T0);
    assertThat(condition(s, "Ready").getReason()).isEqualTo("GatewayAPINotInstalled");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getMessage()).contains("httproutes");
  }

  private static ModelDeployment withGeneration(ModelDeployment md, long generation) {
    md.getMetadata().setGeneration(generation);
    return md;
  }

  private static Condition condition(ModelDeploymentStatus s, String type) {
    return Conditions.find(s.getConditions(), type).orElseThrow();
  }

  @Test
  void aMissingMountedObjectComesBeforePodProblemsAndNamesEveryMissingOne() {
    var crash = new PodProblem("CrashLoopBackOff", "pod x: runtime keeps exiting");
    var secret = new PodProblem("SecretNotFound", "Secret 'keys' (spec.auth.apiKeysSecretRef) ...");
    var profile = new PodProblem("ConfigMapKeyNotFound", "ConfigMap 'p' ... has no key 'a.json'");
    var observed = observe(healthy(2), healthy(1), crash);
    ModelDeploymentStatus s =
        StatusAggregator.aggregate(
            fraud(),
            observed,
            TrafficPlan.decide(fraud(), Map.of("v1", 2, "v2", 1)),
            Optional.empty(),
            PodProblem.all(List.of(secret, profile)),
            T0);
    Condition degraded = find(s, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("SecretNotFound");
    assertThat(degraded.getMessage()).contains("'keys'").contains("'a.json'");
    assertThat(find(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(find(s, "Ready").getReason()).isEqualTo("SecretNotFound");

    assertThat(PodProblem.all(List.of())).isEmpty();
  }

  private static Condition find(ModelDeploymentStatus s, String type) {
    return Conditions.find(s.getConditions(), type).orElseThrow();
  }
}
