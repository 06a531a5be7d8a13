package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.desired.HpaFactory;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.RouterFactory;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;

/**
 * One autoscaling/v2 HorizontalPodAutoscaler per version that runs (a version scaled to zero has
 * none: it would fight the {@code replicas: 0}), and one for the builtin router while there is one.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            itemStore = CompactItemStore.OwnFields.class,
            onUpdateFilter = SpecChangeFilter.class))
public class HpaDependent extends VersionBulkDependent<HorizontalPodAutoscaler> {

  public HpaDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  List<HorizontalPodAutoscaler> desired(ModelDeployment md, TrafficPlan plan) {
    List<HorizontalPodAutoscaler> hpas = new ArrayList<>();
    md.getSpec().getVersions().stream()
        .filter(v -> plan.runs(v.getName()))
        .forEach(v -> hpas.add(HpaFactory.create(md, v)));
    if (plan.router().kept()) {
      hpas.add(RouterFactory.hpa(md));
    }
    return hpas;
  }
}
