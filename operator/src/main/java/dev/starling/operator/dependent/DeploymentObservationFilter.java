package dev.starling.operator.dependent;

import dev.starling.operator.status.VersionObservation;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.List;
import java.util.Optional;

/**
 * Lets a Deployment update through when the operator owns what changed ({@link SpecChangeFilter},
 * not counting the Deployment controller's annotations) or when it changes what a reconciliation
 * reads from the Deployment: the replicas it wants and has ready, whether its rollout finished and
 * its failure, if any (see {@link VersionObservation}; the traffic plan reads the ready replicas
 * too). The Deployment controller writes the status several times per rollout (observed generation,
 * unavailable replicas, condition reasons and times); the other writes would each cost a
 * reconciliation that finds nothing to do. The informer's cache still takes every update, so the
 * next reconciliation sees the latest object.
 */
public class DeploymentObservationFilter implements OnUpdateFilter<Deployment> {

  /**
   * The Deployment controller's own annotations on the Deployment ({@code
   * deployment.kubernetes.io/revision}, desired/max replicas). Its first status write of a new
   * Deployment sets the revision in the same update, so counting these would let that write through
   * as an annotation change.
   */
  private static final SpecChangeFilter SPEC =
      new SpecChangeFilter(key -> key.startsWith("deployment.kubernetes.io/"));

  @Override
  public boolean accept(Deployment updated, Deployment old) {
    return SPEC.accept(updated, old) || !observed(updated).equals(observed(old));
  }

  /** Everything {@link VersionObservation} derives from a Deployment alone. */
  static List<Object> observed(Deployment d) {
    var o = new VersionObservation("", Optional.of(d), List.of());
    return List.of(o.desiredReplicas(), o.readyReplicas(), o.rolledOut(), o.deploymentProblem());
  }
}
