package dev.starling.runtime.router;

import java.nio.charset.StandardCharsets;

/**
 * Sticky assignment of a caller's key to a version: the key is hashed to one of 10,000 slots (a
 * stable hash, the same in every router replica and across restarts), and the slots are cut into
 * consecutive ranges, one per version in the fixed order of the config, sized by weight.
 *
 * <p>Worked example, versions {@code [v1, v2]}:
 *
 * <pre>
 * weights 90/10: v1 = slots [0, 9000), v2 = [9000, 10000)
 * weights 80/20: v1 = slots [0, 8000), v2 = [8000, 10000)
 * </pre>
 *
 * Only keys in slots {@code [8000, 9000)} change version (v1 → v2): 10 % of the keys, the least any
 * scheme can move when v2 gains 10 % of the traffic; no key moves from v2 to v1. With more versions
 * the ranges stay in config order, so moving weight between neighbours moves the fewest keys;
 * moving weight between versions that are not neighbours also shifts the ranges in between. A
 * version that is not ready is left out and the others' ranges are rescaled to fill the slots
 * ({@code [v1 50, v2 25, v3 25]} without v2 is v1 = [0, 6666), v3 = [6666, 10000)), so the first
 * and last versions keep every key they had and only the missing version's keys move.
 */
public final class StickyAssignment {
  public static final int SLOTS = 10_000;

  private final int[] upperBounds;

  private StickyAssignment(int[] upperBounds) {
    this.upperBounds = upperBounds;
  }

  /** Ranges for choices {@code 0..weights.length-1} in that order; at least one weight positive. */
  public static StickyAssignment of(int[] weights) {
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    if (total <= 0) {
      throw new IllegalArgumentException("every weight is 0");
    }
    int[] bounds = new int[weights.length];
    long cumulative = 0;
    for (int i = 0; i < weights.length; i++) {
      cumulative += weights[i];
      bounds[i] = (int) (cumulative * SLOTS / total);
    }
    return new StickyAssignment(bounds);
  }

  /** The choice owning {@code slot}. */
  public int choice(int slot) {
    for (int i = 0; i < upperBounds.length; i++) {
      if (slot < upperBounds[i]) {
        return i;
      }
    }
    return upperBounds.length - 1; // unreachable: the last bound is SLOTS
  }

  public int pick(String key) {
    return choice(slot(key));
  }

  /**
   * The key's slot in {@code [0, 10000)}: FNV-1a (64 bit) over the key's UTF-8 bytes, then
   * MurmurHash3's 64-bit finaliser to spread FNV's weak low bits. Changing this function moves
   * every caller, so a test pins its values.
   */
  public static int slot(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) Long.remainderUnsigned(h, SLOTS);
  }
}
