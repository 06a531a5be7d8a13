package dev.starling.runtime.drift;

/**
 * Population Stability Index: how far a live distribution over bins has moved from the reference.
 *
 * <pre>
 *   PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
 * </pre>
 *
 * where {@code e_i} is bin i's share in the reference and {@code a_i} its share in the live window.
 * A bin empty on either side would make the log infinite, so both shares are floored at {@link
 * #EPSILON} = 0.0001 first (not renormalised). PSI is 0 for identical distributions and grows with
 * the shift; the usual reading is below 0.1 stable, 0.1–0.25 moderate shift, above 0.25 a shift
 * worth acting on.
 *
 * <p>Worked example, two bins: reference e = [0.5, 0.5], live a = [0.8, 0.2]:
 *
 * <pre>
 *   (0.8 − 0.5)·ln(0.8/0.5) + (0.2 − 0.5)·ln(0.2/0.5)
 *   = 0.3 · 0.470004 + (−0.3) · (−0.916291) = 0.141001 + 0.274887 = 0.415888
 * </pre>
 *
 * With an empty reference bin: e = [0.5, 0.5, 0], a = [0.5, 0.4, 0.1]; e_3 becomes 0.0001:
 *
 * <pre>
 *   0 + (0.4 − 0.5)·ln(0.4/0.5) + (0.1 − 0.0001)·ln(0.1/0.0001)
 *   = 0.022314 + 0.0999 · 6.907755 = 0.022314 + 0.690085 = 0.712399
 * </pre>
 */
public final class Psi {
  public static final double EPSILON = 1e-4;

  private Psi() {}

  /**
   * PSI of live bin counts against reference shares. {@code expected} may be shorter than {@code
   * counts}: missing trailing bins (e.g. the "unseen category" bin) have reference share 0. NaN
   * when there are no live counts.
   */
  public static double of(double[] expected, long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    double psi = 0;
    for (int i = 0; i < counts.length; i++) {
      double e = Math.max(i < expected.length ? expected[i] : 0, EPSILON);
      double a = Math.max((double) counts[i] / total, EPSILON);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }
}
