package dev.starling.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
        update(
            "a condition reason and message only",
            d -> d.getStatus().setConditions(List.of(progressing("ReplicaSetUpdated"))),
            false),
        update(
            "the Deployment controller's revision annotation with its first status",
            d -> d.getMetadata().setAnnotations(Map.of("deployment.kubernetes.io/revision", "1")),
            false),
        update(
            "an annotation added by hand",
            d -> d.getMetadata().setAnnotations(Map.of("example.com/owner", "someone")),
            true),
        update("unavailable replicas only", d -> d.getStatus().setUnavailableReplicas(0), false),
        update("a replica turns ready", d -> d.getStatus().setReadyReplicas(1), true),
        update(
            "the rollout finishes (the new replica available)",
            d -> d.getStatus().setAvailableReplicas(1),
            true),
        update(
            "the progress deadline passes",
            d ->
                d.getStatus()
                    .setConditions(
                        List.of(
                            new DeploymentConditionBuilder()
                                .withType("Progressing")
                                .withStatus("False")
                                .withReason("ProgressDeadlineExceeded")
                                .build())),
            true),
        update(
            "the HPA scales it (spec, new generation)",
            d -> {
              d.getSpec().setReplicas(2);
              d.getMetadata().setGeneration(2L);
            },
            true),
        update("a hand edit of its labels", d -> d.getMetadata().setLabels(Map.of()), true));
  }

  private static Arguments update(String change, Consumer<Deployment> edit, boolean accepted) {
    return Arguments.of(change, edit, accepted);
  }

  @ParameterizedTest(name = "{0}: reconcile {2}")
  @MethodSource("updates")
  void onlyUpdatesThatChangeWhatTheOperatorReadsWakeIt(
      String change, Consumer<Deployment> edit, boolean accepted) {
    Deployment old = starting();
    Deployment updated = starting();
    edit.accept(updated);
    assertThat(new DeploymentObservationFilter().accept(updated, old)).isEqualTo(accepted);
  }
}
