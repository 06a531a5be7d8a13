package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Activation of the HTTPRoute dependent: only while the Gateway API CRDs are installed, so its
 * informer is never started against a resource the API server does not know. Cluster-wide on
 * purpose: JOSDK registers and removes the informer by this condition, so it must not flip with
 * each ModelDeployment's mode (that is {@link GatewayApiModeCondition}).
 */
public class GatewayApiInstalledCondition
    implements Condition<GenericKubernetesResource, ModelDeployment> {

  @Override
  public boolean isMet(
      DependentResource<GenericKubernetesResource, ModelDeployment> dependentResource,
      ModelDeployment primary,
      Context<ModelDeployment> context) {
    return GatewayApi.installed(context.getClient());
  }
}
