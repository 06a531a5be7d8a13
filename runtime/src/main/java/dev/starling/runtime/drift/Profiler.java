package dev.starling.runtime.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds reference distributions from reference values: quantile bins for numbers, shares per
 * category for categories. Pure; the {@code profile} command feeds it.
 */
public final class Profiler {
  public static final int DEFAULT_BINS = 10;

  private Profiler() {}

  /**
   * Numeric feature: up to {@code bins} bins with about equal reference counts. Edge k is the value
   * at rank ⌊k·n/bins⌋ of the sorted finite values (k = 1..bins−1); equal edges and edges at the
   * minimum are dropped, so a feature with few distinct values gets fewer bins. Example: values
   * 1..10, 5 bins → ranks 2, 4, 6, 8 → edges [3, 5, 7, 9] → bins (−∞,3) [3,5) [5,7) [7,9) [9,∞)
   * with 2 values each. NaN values are left out.
   */
  public static FeatureProfile numeric(String name, double[] values, int bins) {
    double[] sorted = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
    if (sorted.length == 0) {
      throw new IllegalArgumentException("feature '" + name + "' has no finite reference value");
    }
    List<Double> edges = new ArrayList<>();
    int n = sorted.length;
    for (int k = 1; k < bins; k++) {
      double e = sorted[(int) ((long) k * n / bins)];
      if (e > sorted[0] && (edges.isEmpty() || e > edges.get(edges.size() - 1))) {
        edges.add(e);
      }
    }
    FeatureProfile shell =
        new FeatureProfile(
            name, FeatureProfile.Kind.NUMERIC, edges, null, null, sorted[0], sorted[n - 1]);
    return withShares(shell, sorted);
  }

  /** Categorical feature: the share of each category index; {@code values} hold indices. */
  public static FeatureProfile categorical(String name, List<String> categories, double[] values) {
    FeatureProfile shell =
        new FeatureProfile(
            name, FeatureProfile.Kind.CATEGORICAL, null, categories, null, null, null);
    double[] known = Arrays.stream(values).filter(shell.binner()::isCategory).toArray();
    if (known.length == 0) {
      throw new IllegalArgumentException("feature '" + name + "' has no reference value");
    }
    return withShares(shell, known);
  }

  private static FeatureProfile withShares(FeatureProfile p, double[] values) {
    FeatureProfile.Binner b = p.binner();
    long[] counts =
        new long[p.kind() == FeatureProfile.Kind.NUMERIC ? b.binCount() : b.categories()];
    for (double v : values) {
      counts[b.bin(v)]++;
    }
    List<Double> shares = new ArrayList<>(counts.length);
    for (long c : counts) {
      shares.add((double) c / values.length);
    }
    return new FeatureProfile(
        p.name(), p.kind(), p.edges(), p.categories(), shares, p.min(), p.max());
  }
}
