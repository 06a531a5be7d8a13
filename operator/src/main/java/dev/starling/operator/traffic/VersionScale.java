package dev.starling.operator.traffic;

/**
 * Whether a version runs pods: every version with a desired or effective weight does (a canary must
 * run to become ready; an old version must run while it still serves), and so does a weight-0
 * version that is a mirror target or pinned for testing. Every other version scales to zero.
 *
 * <p>Examples: desired 0, effective 0, not mirrored, not pinned → zero; desired 0, effective 100
 * (its successor is not ready yet) → runs; desired 0, mirror target → runs.
 */
public final class VersionScale {

  private VersionScale() {}

  public static boolean runs(EffectiveWeight w, boolean mirrorTarget, boolean pinnedForTesting) {
    return w.desired() > 0 || w.effective() > 0 || mirrorTarget || pinnedForTesting;
  }
}
