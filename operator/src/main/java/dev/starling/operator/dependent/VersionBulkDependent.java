package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.desired.Names;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.CRUDBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * JOSDK glue shared by the per-version children: server-side applies the objects a pure factory
 * returns, deletes the ones no longer wanted (a removed version, a PDB below two replicas), and
 * leaves deletion of the whole set to the garbage collector through owner references.
 */
abstract class VersionBulkDependent<R extends HasMetadata>
    extends KubernetesDependentResource<R, ModelDeployment>
    implements CRUDBulkDependentResource<R, ModelDeployment, ResourceID>,
        GarbageCollected<ModelDeployment> {

  VersionBulkDependent(Class<R> type) {
    super(type);
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
