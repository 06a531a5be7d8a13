package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.desired.HpaFactory;
import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;

/** One autoscaling/v2 HorizontalPodAutoscaler per version. */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            onUpdateFilter = SpecChangeFilter.class))
public class HpaDependent extends VersionBulkDependent<HorizontalPodAutoscaler> {

  public HpaDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  List<HorizontalPodAutoscaler> desired(ModelDeployment md) {
    return md.getSpec().getVersions().stream().map(v -> HpaFactory.create(md, v)).toList();
  }
}
