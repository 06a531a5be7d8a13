package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

/**
 * The Deployment {@code <md>-<v>}. It carries no {@code replicas}: the HPA owns the count. Only
 * while suspended does it say {@code replicas: 0}, which also pauses the HPA (an HPA does not scale
 * a target that is at zero), and so does a version that does not run (weight 0, neither mirror
 * target nor pinned for testing), which then has no HPA at all.
 */
public final class DeploymentFactory {

  private DeploymentFactory() {}

  /** A running version: the HPA owns its replicas. */
  public static Deployment create(ModelDeployment md, ModelVersion v, String defaultImage) {
    return create(md, v, defaultImage, true);
  }

  /** {@code runs}: false scales the version to zero (see {@code traffic.VersionScale}). */
  public static Deployment create(
      ModelDeployment md, ModelVersion v, String defaultImage, boolean runs) {
    var spec =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(Names.version(md, v))
            .withNamespace(md.getMetadata().getNamespace())
            .withLabels(Names.versionLabels(md, v, "predictor"))
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(Names.versionSelector(md, v))
            .endSelector()
            .withRevisionHistoryLimit(3)
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString("25%"))
            .endRollingUpdate()
            .endStrategy()
            .withTemplate(PodTemplateFactory.create(md, v, defaultImage));
    if (md.getSpec().suspended() || !runs) {
      spec.withReplicas(0);
    }
    return spec.endSpec().build();
  }
}
