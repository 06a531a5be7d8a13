package dev.starling.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeploymentObservationFilterTest {

  /** A one-replica Deployment just after its ReplicaSet was made: nothing ready yet. */
  private static Deployment starting() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("iris-v1")
        .withGeneration(1L)
        .withLabels(Map.of("app.kubernetes.io/managed-by", "starling-operator"))
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withReplicas(1)
        .withUpdatedReplicas(1)
        .withUnavailableReplicas(1)
        .withConditions(progressing("NewReplicaSetCreated"))
        .endStatus()
        .build();
  }

  private static DeploymentCondition progressing(String reason) {
    return new DeploymentConditionBuilder()
        .withType("Progressing")
        .withStatus("True")
        .withReason(reason)
        .withMessage("ReplicaSet iris-v1-abc: " + reason)
        .build();
  }

  static Stream<Arguments> updates() {
    return Stream.of(
        Arguments.of(
            "a condition reason and message only",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getStatus().setConditions(java.util.List.of(progressing("ReplicaSetUpdated")));
                  return d;
                },
            false),
        Arguments.of(
            "the Deployment controller's revision annotation with its first status",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getMetadata().setAnnotations(Map.of("deployment.kubernetes.io/revision", "1"));
                  return d;
                },
            false),
        Arguments.of(
            "an annotation added by hand",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getMetadata().setAnnotations(Map.of("example.com/owner", "someone"));
                  return d;
                },
            true),
        Arguments.of(
            "unavailable replicas only",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getStatus().setUnavailableReplicas(0);
                  return d;
                },
            false),
        Arguments.of(
            "a replica turns ready",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getStatus().setReadyReplicas(1);
                  return d;
                },
            true),
        Arguments.of(
            "the rollout finishes (the new replica available)",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getStatus().setAvailableReplicas(1);
                  return d;
                },
            true),
        Arguments.of(
            "the progress deadline passes",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getStatus()
                      .setConditions(
                          java.util.List.of(
                              new DeploymentConditionBuilder()
                                  .withType("Progressing")
                                  .withStatus("False")
                                  .withReason("ProgressDeadlineExceeded")
                                  .build()));
                  return d;
                },
            true),
        Arguments.of(
            "the HPA scales it (spec, new generation)",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getSpec().setReplicas(2);
                  d.getMetadata().setGeneration(2L);
                  return d;
                },
            true),
        Arguments.of(
            "a hand edit of its labels",
            (UnaryOperator<Deployment>)
                d -> {
                  d.getMetadata().setLabels(Map.of());
                  return d;
                },
            true));
  }

  @ParameterizedTest(name = "{0}: reconcile {2}")
  @MethodSource("updates")
  void onlyUpdatesThatChangeWhatTheOperatorReadsWakeIt(
      String change, UnaryOperator<Deployment> edit, boolean accepted) {
    Deployment old = starting();
    Deployment updated = edit.apply(starting());
    assertThat(new DeploymentObservationFilter().accept(updated, old)).isEqualTo(accepted);
  }
}
