package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.desired.HttpRouteFactory;
import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The gateway-api-mode HTTPRoute {@code <md>}, weighted by the effective weights. A generic
 * resource, so the operator needs no Gateway API model classes.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            itemStore = CompactItemStore.OwnFields.class))
public class HttpRouteDependent extends GenericKubernetesDependentResource<ModelDeployment>
    implements Creator<GenericKubernetesResource, ModelDeployment>,
        Updater<GenericKubernetesResource, ModelDeployment>,
        GarbageCollected<ModelDeployment> {

  public HttpRouteDependent() {
    super(new GroupVersionKind("gateway.networking.k8s.io", "v1", HttpRouteFactory.KIND));
  }

  /**
   * The route is always named after the ModelDeployment. Said here because JOSDK otherwise finds it
   * through {@link #desired}, which needs a gatewayRef that a ModelDeployment switched back to
   * builtin mode no longer has, and the route must still be found to be deleted.
   */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment md, Context<ModelDeployment> context) {
    return new ResourceID(md.getMetadata().getName(), md.getMetadata().getNamespace());
  }

  @Override
  public GenericKubernetesResource create(
      GenericKubernetesResource desired, ModelDeployment md, Context<ModelDeployment> context) {
    try {
      return super.create(desired, md, context);
    } catch (KubernetesClientException e) {
      GatewayApi.forgetOn(e);
      throw e;
    }
  }

  @Override
  public GenericKubernetesResource update(
      GenericKubernetesResource actual,
      GenericKubernetesResource desired,
      ModelDeployment md,
      Context<ModelDeployment> context) {
    try {
      return super.update(actual, desired, md, context);
    } catch (KubernetesClientException e) {
      GatewayApi.forgetOn(e);
      throw e;
    }
  }

  @Override
  protected GenericKubernetesResource desired(
      ModelDeployment md, Context<ModelDeployment> context) {
    return HttpRouteFactory.create(md, Plans.of(md, context).effective());
  }
}
