package dev.starling.runtime.router;

/**
 * An exact weighted split as a fixed cycle of slots (smooth weighted round-robin, the scheme nginx
 * uses): over every full cycle each choice gets exactly its weight's share, and within the cycle
 * the picks are spread as evenly as possible, so any window of requests is close to exact too.
 *
 * <p>Worked example, weights {@code [90, 10]}: reduced by their gcd to {@code [9, 1]}, cycle length
 * 9 + 1 = 10. Each step adds every weight to its running credit, picks the largest credit and takes
 * the total (10) off the winner:
 *
 * <pre>
 * step  credits before pick   pick  credits after
 *  1    [ 9, 1]               0     [-1, 1]
 *  2    [ 8, 2]               0     [-2, 2]
 *  ...
 *  9    [ 1, 9]               1     [ 1,-1]
 * 10    [10, 0]               0     [ 0, 0]   (back to the start)
 * </pre>
 *
 * so one request in ten goes to choice 1: 1,000 of any 10,000 consecutive requests, not "about".
 * Picking is lock-free: a shared counter indexes the precomputed cycle.
 */
public final class WeightedSchedule {
  private final int[] slots;

  private WeightedSchedule(int[] slots) {
    this.slots = slots;
  }

  /** A schedule over choices {@code 0..weights.length-1}; weights ≥ 0, at least one positive. */
  public static WeightedSchedule of(int[] weights) {
    int g = 0;
    long total = 0;
    for (int w : weights) {
      if (w < 0) {
        throw new IllegalArgumentException("negative weight " + w);
      }
      g = gcd(g, w);
      total += w;
    }
    if (total == 0) {
      throw new IllegalArgumentException("every weight is 0");
    }
    int n = (int) (total / g);
    if (n > 100_000) {
      throw new IllegalArgumentException("weights too fine-grained: cycle of " + n);
    }
    int[] reduced = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      reduced[i] = weights[i] / g;
    }
    int[] slots = new int[n];
    long[] credit = new long[weights.length];
    for (int s = 0; s < n; s++) {
      int best = -1;
      for (int i = 0; i < reduced.length; i++) {
        credit[i] += reduced[i];
        if (reduced[i] > 0 && (best < 0 || credit[i] > credit[best])) {
          best = i;
        }
      }
      credit[best] -= n;
      slots[s] = best;
    }
    return new WeightedSchedule(slots);
  }

  /** The choice for the {@code sequence}-th request (any long; wraps around the cycle). */
  public int pick(long sequence) {
    return slots[(int) Long.remainderUnsigned(sequence, slots.length)];
  }

  public int cycleLength() {
    return slots.length;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
