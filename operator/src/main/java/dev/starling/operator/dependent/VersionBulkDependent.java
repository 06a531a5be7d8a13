package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.desired.Names;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.CRUDBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JOSDK glue shared by the per-version children: server-side applies the objects a pure factory
 * returns, deletes the ones no longer wanted (a removed version, a PDB below two replicas), and
 * leaves deletion of the whole set to the garbage collector through owner references.
 */
abstract class VersionBulkDependent<R extends HasMetadata>
    extends KubernetesDependentResource<R, ModelDeployment>
    implements CRUDBulkDependentResource<R, ModelDeployment, ResourceID>,
        GarbageCollected<ModelDeployment> {
  private static final Logger LOG = LoggerFactory.getLogger(VersionBulkDependent.class);

  VersionBulkDependent(Class<R> type) {
    super(type);
  }

  /**
   * JOSDK creates a child its informer does not show with a server-side apply that may only create
   * (resourceVersion "1"), so the API server answers 409 when the object exists after all: the
   * informer has not caught up with a create this operator made, or the object lost the labels the
   * informer selects on. When the live object is this ModelDeployment's own child, apply over it
   * (as an update would) instead of failing the reconciliation into JOSDK's retry backoff; an
   * object of that name that belongs to something else is left alone and the 409 stands.
   */
  @Override
  public R create(R desired, ModelDeployment md, Context<ModelDeployment> context) {
    try {
      return super.create(desired, md, context);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      R live = context.getClient().resource(desired).get();
      if (live == null || !ownedBy(live, md)) {
        throw e;
      }
      LOG.info(
          "{} {}/{} exists but was not in the informer cache: applying over it",
          live.getKind(),
          live.getMetadata().getNamespace(),
          live.getMetadata().getName());
      desired.getMetadata().setResourceVersion(null);
      return update(live, desired, md, context);
    }
  }

  /** Whether an owner reference of the object names this ModelDeployment (by uid). */
  static boolean ownedBy(HasMetadata object, ModelDeployment md) {
    var refs = object.getMetadata().getOwnerReferences();
    String uid = md.getMetadata().getUid();
    return uid != null && refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()));
  }

  /** The objects this ModelDeployment should have under this traffic plan, from pure factories. */
  abstract List<R> desired(ModelDeployment md, TrafficPlan plan);

  @Override
  public Map<ResourceID, R> desiredResources(ModelDeployment md, Context<ModelDeployment> context) {
    Map<ResourceID, R> desired = new LinkedHashMap<>();
    for (R r : desired(md, Plans.of(md, context))) {
      desired.put(ResourceID.fromResource(r), r);
    }
    return desired;
  }

  @Override
  public Map<ResourceID, R> getSecondaryResources(
      ModelDeployment md, Context<ModelDeployment> context) {
    String name = md.getMetadata().getName();
    return context
        .getSecondaryResourcesAsStream(resourceType())
        .filter(r -> r.getMetadata().getLabels() != null)
        .filter(r -> name.equals(r.getMetadata().getLabels().get(Names.LABEL_MODEL_DEPLOYMENT)))
        .collect(Collectors.toMap(ResourceID::fromResource, Function.identity()));
  }
}
