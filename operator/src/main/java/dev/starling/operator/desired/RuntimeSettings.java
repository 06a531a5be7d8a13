package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.Batching;
import dev.starling.api.v1alpha1.ConfigMapKeyRef;
import dev.starling.api.v1alpha1.Drift;
import dev.starling.api.v1alpha1.Feedback;
import dev.starling.api.v1alpha1.Inference;
import dev.starling.api.v1alpha1.ModelDeploymentSpec;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.PredictionCache;
import java.util.Optional;
import java.util.function.Function;

/**
 * The runtime settings one version runs with: its own {@code batching}, {@code cache}, {@code
 * inference} and {@code drift} fields override the spec-level ones field by field. Unset stays
 * unset, so the runtime applies its own documented default; nothing is ever written back to the
 * spec (a GitOps tool would see that as drift).
 *
 * <p>Example: spec {@code batching: {maxBatchSize: 32, maxDelay: 2ms}} and version v2 {@code
 * batching: {maxBatchSize: 8}} give v2 {@code {maxBatchSize: 8, maxDelay: 2ms}} and every other
 * version {@code {32, 2ms}}.
 */
public final class RuntimeSettings {

  private RuntimeSettings() {}

  public static Optional<Batching> batching(ModelDeploymentSpec spec, ModelVersion v) {
    Batching s = spec.getBatching();
    Batching o = v.getBatching();
    if (s == null && o == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Batching(pick(o, s, Batching::getMaxBatchSize), pick(o, s, Batching::getMaxDelay)));
  }

  public static Optional<PredictionCache> cache(ModelDeploymentSpec spec, ModelVersion v) {
    PredictionCache s = spec.getCache();
    PredictionCache o = v.getCache();
    if (s == null && o == null) {
      return Optional.empty();
    }
    return Optional.of(
        new PredictionCache(
            pick(o, s, PredictionCache::getMaxEntries), pick(o, s, PredictionCache::getTtl)));
  }

  public static Optional<Integer> maxInflight(ModelDeploymentSpec spec, ModelVersion v) {
    return Optional.ofNullable(
        pick(v.getInference(), spec.getInference(), Inference::getMaxInflight));
  }

  public static Optional<String> inflightLimit(ModelDeploymentSpec spec, ModelVersion v) {
    return Optional.ofNullable(
        pick(v.getInference(), spec.getInference(), Inference::getInflightLimit));
  }

  public static Optional<Integer> niceness(ModelDeploymentSpec spec, ModelVersion v) {
    return Optional.ofNullable(pick(v.getInference(), spec.getInference(), Inference::getNiceness));
  }

  /** Drift settings, present only when a reference profile is set (else monitoring is off). */
  public static Optional<Drift> drift(ModelDeploymentSpec spec, ModelVersion v) {
    Drift s = spec.getDrift();
    Drift o = v.getDrift();
    ConfigMapKeyRef ref = pick(o, s, Drift::getReferenceProfile);
    if (ref == null) {
      return Optional.empty();
    }
    return Optional.of(new Drift(ref, pick(o, s, Drift::getWindow)));
  }

  /**
   * Feedback settings, present only when the merged {@code enabled} is true: the version's {@code
   * drift.feedback} fields override the spec's field by field, so a version can turn it off ({@code
   * enabled: false}) or keep the spec's switch and change only its window.
   */
  public static Optional<Feedback> feedback(ModelDeploymentSpec spec, ModelVersion v) {
    Feedback s = spec.getDrift() == null ? null : spec.getDrift().getFeedback();
    Feedback o = v.getDrift() == null ? null : v.getDrift().getFeedback();
    if (!Boolean.TRUE.equals(pick(o, s, Feedback::getEnabled))) {
      return Optional.empty();
    }
    return Optional.of(
        new Feedback(
            true,
            pick(o, s, Feedback::getMaxEntries),
            pick(o, s, Feedback::getTtl),
            pick(o, s, Feedback::getWindow)));
  }

  /** The version's value if it sets one, else the spec's, else null. */
  private static <T, V> V pick(T override, T base, Function<T, V> field) {
    V value = override == null ? null : field.apply(override);
    if (value != null) {
      return value;
    }
    return base == null ? null : field.apply(base);
  }
}
