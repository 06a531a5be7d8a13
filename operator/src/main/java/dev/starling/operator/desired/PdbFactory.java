package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.Optional;

/**
 * The PodDisruptionBudget {@code <md>-<v>} (at most one pod disrupted at a time), only when a
 * version keeps at least two replicas: with one replica the budget protects nothing.
 */
public final class PdbFactory {

  private PdbFactory() {}

  public static Optional<PodDisruptionBudget> create(ModelDeployment md, ModelVersion v) {
    if (VersionDefaults.minReplicas(v) < 2) {
      return Optional.empty();
    }
    return Optional.of(
        new PodDisruptionBudgetBuilder()
            .withNewMetadata()
            .withName(Names.version(md, v))
            .withNamespace(md.getMetadata().getNamespace())
            .withLabels(Names.versionLabels(md, v, "predictor"))
            .endMetadata()
            .withNewSpec()
            .withMaxUnavailable(new IntOrString(1))
            .withNewSelector()
            .withMatchLabels(Names.versionSelector(md, v))
            .endSelector()
            .endSpec()
            .build());
  }
}
