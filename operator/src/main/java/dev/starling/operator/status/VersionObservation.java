package dev.starling.operator.status;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Optional;

/**
 * What the operator sees of one version: its Deployment (if it exists yet) and the problems its
 * pods report.
 */
public record VersionObservation(
    String name, Optional<Deployment> deployment, List<PodProblem> problems) {

  /** Replicas the Deployment currently wants (0 while it does not exist). */
  public int desiredReplicas() {
    return deployment
        .map(d -> d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas())
        .orElse(0);
  }

  public int readyReplicas() {
    return deployment
        .map(d -> d.getStatus() == null ? null : d.getStatus().getReadyReplicas())
        .map(r -> r == null ? 0 : r)
        .orElse(0);
  }

  /**
   * Whether the Deployment controller has finished rolling out the current template, the same test
   * as {@code kubectl rollout status}: it saw the latest generation, every replica runs the new
   * template, no old replica is left and all new ones are available.
   */
  public boolean rolledOut() {
    if (deployment.isEmpty()) {
      return false;
    }
    Deployment d = deployment.get();
    var status = d.getStatus();
    if (status == null || status.getObservedGeneration() == null) {
      return false;
    }
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    int desired = desiredReplicas();
    int updated = orZero(status.getUpdatedReplicas());
    int total = orZero(status.getReplicas());
    int available = orZero(status.getAvailableReplicas());
    return status.getObservedGeneration() >= generation
        && updated >= desired
        && total <= updated
        && available >= updated;
  }

  /** A Deployment-level failure (progress deadline, pods refused by admission), if any. */
  public Optional<PodProblem> deploymentProblem() {
    if (deployment.isEmpty() || deployment.get().getStatus() == null) {
      return Optional.empty();
    }
    var conditions = deployment.get().getStatus().getConditions();
    if (conditions == null) {
      return Optional.empty();
    }
    for (var c : conditions) {
      if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
        return Optional.of(new PodProblem("ReplicaFailure", c.getMessage()));
      }
      if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
        return Optional.of(new PodProblem("ProgressDeadlineExceeded", c.getMessage()));
      }
    }
    return Optional.empty();
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }
}
