package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.desired.DeploymentFactory;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.RouterFactory;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;

/**
 * One runtime Deployment per version, and the builtin router (same image, router mode) while there
 * is one ({@link dev.starling.operator.traffic.RouterPresence}).
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            itemStore = CompactItemStore.OwnFields.class,
            onUpdateFilter = DeploymentObservationFilter.class))
public class DeploymentDependent extends VersionBulkDependent<Deployment> {

  private volatile String defaultImage = "starling/runtime:latest";

  public DeploymentDependent() {
    super(Deployment.class);
  }

  /** Set once by {@link SettingsDependentFactory} before the operator starts. */
  void defaultImage(String image) {
    this.defaultImage = image;
  }

  @Override
  List<Deployment> desired(ModelDeployment md, TrafficPlan plan) {
    List<Deployment> deployments = new ArrayList<>();
    md.getSpec()
        .getVersions()
        .forEach(
            v ->
                deployments.add(
                    DeploymentFactory.create(md, v, defaultImage, plan.runs(v.getName()))));
    if (plan.router().kept()) {
      deployments.add(RouterFactory.deployment(md, defaultImage));
    }
    return deployments;
  }
}
