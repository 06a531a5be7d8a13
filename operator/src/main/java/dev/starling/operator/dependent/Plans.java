package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.desired.Names;
import dev.starling.operator.traffic.RouterPresence;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.HashMap;
import java.util.Map;

/**
 * The one {@link TrafficPlan} of a reconciliation: decided from the version Deployments' ready
 * replicas the first time a dependent (or the reconciler) asks, then kept in the context, so every
 * child and the status are built from the same readings.
 */
public final class Plans {

  private static final String KEY = "starling.trafficPlan";

  private Plans() {}

  public static TrafficPlan of(ModelDeployment md, Context<ModelDeployment> context) {
    var shared = context.managedWorkflowAndDependentResourceContext();
    synchronized (shared) {
      return shared
          .get(KEY, TrafficPlan.class)
          .orElseGet(
              () -> {
                TrafficPlan plan =
                    TrafficPlan.decide(md, readyReplicas(md, context), routerSeen(md, context));
                shared.put(KEY, plan);
                return plan;
              });
    }
  }

  /**
   * The router as the informer caches show it: its Deployment has a ready replica; the live {@code
   * <md>} Service selects its pods.
   */
  static RouterPresence.Seen routerSeen(ModelDeployment md, Context<ModelDeployment> context) {
    String router = Names.router(md);
    boolean ready =
        context
            .getSecondaryResourcesAsStream(Deployment.class)
            .filter(d -> router.equals(d.getMetadata().getName()))
            .anyMatch(d -> d.getStatus() != null && positive(d.getStatus().getReadyReplicas()));
    String stable = md.getMetadata().getName();
    Map<String, String> routerPods = Names.routerSelector(md);
    boolean serving =
        context
            .getSecondaryResourcesAsStream(Service.class)
            .filter(s -> stable.equals(s.getMetadata().getName()))
            .anyMatch(s -> s.getSpec() != null && routerPods.equals(s.getSpec().getSelector()));
    return new RouterPresence.Seen(ready, serving);
  }

  private static boolean positive(Integer n) {
    return n != null && n > 0;
  }

  /** Version name → ready replicas, from the version Deployments this ModelDeployment owns. */
  static Map<String, Integer> readyReplicas(ModelDeployment md, Context<ModelDeployment> context) {
    String name = md.getMetadata().getName();
    Map<String, Integer> ready = new HashMap<>();
    context
        .getSecondaryResourcesAsStream(Deployment.class)
        .filter(d -> d.getMetadata().getLabels() != null)
        .filter(d -> name.equals(d.getMetadata().getLabels().get(Names.LABEL_MODEL_DEPLOYMENT)))
        .forEach(
            d -> {
              String version = d.getMetadata().getLabels().get(Names.LABEL_VERSION);
              Integer r = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
              if (version != null) {
                ready.put(version, r == null ? 0 : r);
              }
            });
    return ready;
  }
}
