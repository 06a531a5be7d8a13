package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.Autoscaling;
import dev.starling.api.v1alpha1.ModelDeploymentSpec;
import dev.starling.api.v1alpha1.ModelVersion;
import java.util.Locale;
import java.util.Optional;

/** The defaults the CRD documents, applied in one place. */
public final class VersionDefaults {

  public static final int DEFAULT_CPU_TARGET = 80;

  private VersionDefaults() {}

  /**
   * The share of traffic a version gets: its weight, or 100 when it is the only version and has
   * none (the CRD refuses every other case of a missing weight that would not sum to 100).
   */
  public static int weight(ModelDeploymentSpec spec, ModelVersion v) {
    if (v.getWeight() != null) {
      return v.getWeight();
    }
    return spec.getVersions().size() == 1 ? 100 : 0;
  }

  /**
   * The version the stable Service selects until traffic splitting exists: the first version with
   * the largest weight. Example: weights [v1=90, v2=10] -> v1; [v1=50, v2=50] -> v1.
   */
  public static ModelVersion primary(ModelDeploymentSpec spec) {
    ModelVersion best = spec.getVersions().get(0);
    for (ModelVersion v : spec.getVersions()) {
      if (weight(spec, v) > weight(spec, best)) {
        best = v;
      }
    }
    return best;
  }

  public static int minReplicas(ModelVersion v) {
    Autoscaling a = v.getAutoscaling();
    return a == null || a.getMinReplicas() == null ? 1 : a.getMinReplicas();
  }

  /** maxReplicas, defaulting to minReplicas (a fixed-size version). */
  public static int maxReplicas(ModelVersion v) {
    Autoscaling a = v.getAutoscaling();
    int min = minReplicas(v);
    return a == null || a.getMaxReplicas() == null ? min : Math.max(min, a.getMaxReplicas());
  }

  public static int cpuTarget(ModelVersion v) {
    Autoscaling a = v.getAutoscaling();
    return a == null || a.getTargetCPUUtilizationPercentage() == null
        ? DEFAULT_CPU_TARGET
        : a.getTargetCPUUtilizationPercentage();
  }

  public static Optional<Integer> inflightTarget(ModelVersion v) {
    Autoscaling a = v.getAutoscaling();
    return a == null ? Optional.empty() : Optional.ofNullable(a.getTargetInflightRequests());
  }

  /** The expected digest in lower case, as the runtime compares it. */
  public static Optional<String> sha256(ModelVersion v) {
    return Optional.ofNullable(v.getModel().getSha256()).map(s -> s.toLowerCase(Locale.ROOT));
  }
}
