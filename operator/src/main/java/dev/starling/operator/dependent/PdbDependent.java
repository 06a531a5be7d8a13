package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.PdbFactory;
import dev.starling.operator.desired.RouterFactory;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A PodDisruptionBudget for each running version that keeps two or more replicas, and for the
 * builtin router when it does.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            itemStore = CompactItemStore.OwnFields.class,
            onUpdateFilter = SpecChangeFilter.class))
public class PdbDependent extends VersionBulkDependent<PodDisruptionBudget> {

  public PdbDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  List<PodDisruptionBudget> desired(ModelDeployment md, TrafficPlan plan) {
    List<PodDisruptionBudget> pdbs = new ArrayList<>();
    md.getSpec().getVersions().stream()
        .filter(v -> plan.runs(v.getName()))
        .map(v -> PdbFactory.create(md, v))
        .flatMap(Optional::stream)
        .forEach(pdbs::add);
    if (plan.router().kept() && !md.getSpec().suspended()) {
      RouterFactory.pdb(md).ifPresent(pdbs::add);
    }
    return pdbs;
  }
}
