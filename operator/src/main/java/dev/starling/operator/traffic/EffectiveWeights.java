package dev.starling.operator.traffic;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides the weights traffic really gets: a weight moves to a version only once it has ready
 * replicas.
 *
 * <ol>
 *   <li>If some ready version has a desired weight, the desired weights of the ready versions are
 *       scaled up to sum to 100; unready versions get 0, held back with {@code NoReadyReplicas}.
 *   <li>Otherwise (nothing that should serve can), the previous weights stay on the versions that
 *       are still ready, scaled to 100, so an old version keeps serving until its successor is
 *       ready.
 *   <li>If no version with a previous weight is ready either, every weight is 0: nothing serves.
 * </ol>
 *
 * <p>Worked examples (desired / previous / ready → effective):
 *
 * <pre>
 *   v1=90 v2=10, both ready                        → v1=90 v2=10
 *   v1=90 v2=10, v2 unready                        → v1=100 v2=0 (v2 held: NoReadyReplicas)
 *   v1=0 v2=100, prev v1=100, v2 unready           → v1=100 v2=0 (rule 2: v1 keeps serving)
 *   v1=0 v2=100, v2 ready                          → v1=0 v2=100
 *   v1=50 v2=30 v3=20, v3 unready                  → 50/80=62.5, 30/80=37.5 → v1=63 v2=37 v3=0
 * </pre>
 *
 * Rounding is by largest remainder, ties to the earlier version, so the result always sums to 100
 * (or is all 0) and the same inputs give the same output.
 */
public final class EffectiveWeights {

  private EffectiveWeights() {}

  /** One entry per input version, in input order. */
  public static List<EffectiveWeight> decide(List<VersionTraffic> versions) {
    int[] basis = new int[versions.size()];
    boolean fromDesired = false;
    for (int i = 0; i < versions.size(); i++) {
      VersionTraffic v = versions.get(i);
      basis[i] = v.ready() ? v.desired() : 0;
      fromDesired |= basis[i] > 0;
    }
    if (!fromDesired) {
      for (int i = 0; i < versions.size(); i++) {
        VersionTraffic v = versions.get(i);
        basis[i] = v.ready() ? v.previous() : 0;
      }
    }
    int[] effective = scaleTo100(basis);
    List<EffectiveWeight> out = new ArrayList<>(versions.size());
    for (int i = 0; i < versions.size(); i++) {
      VersionTraffic v = versions.get(i);
      out.add(new EffectiveWeight(v.name(), v.desired(), effective[i], reason(v, fromDesired)));
    }
    return out;
  }

  private static Optional<String> reason(VersionTraffic v, boolean fromDesired) {
    if (v.desired() == 0) {
      return Optional.empty();
    }
    if (!v.ready()) {
      return Optional.of(EffectiveWeight.NO_READY_REPLICAS);
    }
    return fromDesired ? Optional.empty() : Optional.of(EffectiveWeight.WAITING_FOR_READY_VERSIONS);
  }

  /**
   * Scales non-negative integers to sum to 100 by largest remainder; all zeros stay zeros. Example:
   * [50, 30, 0] → exact [62.5, 37.5, 0] → floors [62, 37, 0] with 1 left → the first of the tied
   * remainders gets it → [63, 37, 0].
   */
  static int[] scaleTo100(int[] basis) {
    long sum = 0;
    for (int b : basis) {
      sum += b;
    }
    int[] out = new int[basis.length];
    if (sum == 0) {
      return out;
    }
    long[] remainder = new long[basis.length];
    int given = 0;
    for (int i = 0; i < basis.length; i++) {
      out[i] = (int) (basis[i] * 100L / sum);
      remainder[i] = basis[i] * 100L % sum;
      given += out[i];
    }
    for (int left = 100 - given; left > 0; left--) {
      int best = -1;
      for (int i = 0; i < basis.length; i++) {
        if (basis[i] > 0 && (best < 0 || remainder[i] > remainder[best])) {
          best = i;
        }
      }
      out[best]++;
      remainder[best] = -1;
    }
    return out;
  }
}
