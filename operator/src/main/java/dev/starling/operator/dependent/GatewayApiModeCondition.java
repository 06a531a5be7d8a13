package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Reconcile precondition of the HTTPRoute dependent: the ModelDeployment asks for gateway-api mode.
 * When it does not (any more), JOSDK deletes the HTTPRoute.
 */
public class GatewayApiModeCondition
    implements Condition<GenericKubernetesResource, ModelDeployment> {

  @Override
  public boolean isMet(
      DependentResource<GenericKubernetesResource, ModelDeployment> dependentResource,
      ModelDeployment primary,
      Context<ModelDeployment> context) {
    return !TrafficPlan.builtin(primary);
  }
}
