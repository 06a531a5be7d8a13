package dev.starling.runtime.drift;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * The reference distribution of one feature (or of the model's prediction), as bins.
 *
 * <ul>
 *   <li>{@code numeric}: {@code edges} e_1 &lt; … &lt; e_k cut the line into k+1 bins (−∞, e_1),
 *       [e_1, e_2), …, [e_k, ∞); {@code min}/{@code max} are the reference's observed range.
 *   <li>{@code categorical}: bin i is category i (the index the model sees); one more bin collects
 *       values that are no category index ("unseen"), with reference share 0.
 * </ul>
 *
 * {@code proportions} are the reference's share per bin (the unseen bin is not listed) and sum to
 * 1.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record FeatureProfile(
    String name,
    Kind kind,
    List<Double> edges,
    List<String> categories,
    List<Double> proportions,
    Double min,
    Double max) {

  /** How values become bins. */
  public enum Kind {
    @JsonProperty("numeric")
    NUMERIC,
    @JsonProperty("categorical")
    CATEGORICAL
  }

  public FeatureProfile {
    edges = edges == null ? List.of() : List.copyOf(edges);
    categories = categories == null ? List.of() : List.copyOf(categories);
    proportions = proportions == null ? List.of() : List.copyOf(proportions);
  }

  /** Bins a live value may fall in (categorical: one more than the categories, for unseen). */
  public int binCount() {
    return kind == Kind.NUMERIC ? edges.size() + 1 : categories.size() + 1;
  }

  /** Compiles the profile for the request path: arrays, no boxing. */
  public Binner binner() {
    return new Binner(
        kind,
        edges.stream().mapToDouble(Double::doubleValue).toArray(),
        categories.size(),
        proportions.stream().mapToDouble(Double::doubleValue).toArray(),
        min == null ? Double.NEGATIVE_INFINITY : min,
        max == null ? Double.POSITIVE_INFINITY : max);
  }

  /** Maps values to bin indices, allocation-free. */
  public record Binner(
      Kind kind, double[] edges, int categories, double[] expected, double min, double max) {

    /** The bin of {@code v}: numeric, the number of edges ≤ v; categorical, the index or unseen. */
    public int bin(double v) {
      if (kind == Kind.CATEGORICAL) {
        return isCategory(v) ? (int) v : categories;
      }
      int i = Arrays.binarySearch(edges, v);
      // found: v equals edge i, so it opens bin i+1; not found: insertion point = edges below v
      return i >= 0 ? upper(i, v) : -i - 1;
    }

    /** Equal edges never survive profiling, but stay right if a hand-written profile has them. */
    private int upper(int i, double v) {
      while (i + 1 < edges.length && edges[i + 1] == v) {
        i++;
      }
      return i + 1;
    }

    public boolean isCategory(double v) {
      return v >= 0 && v < categories && v == Math.rint(v);
    }

    /** Categorical: a category index the reference never saw (share 0), or no index at all. */
    public boolean unseen(double v) {
      return kind == Kind.CATEGORICAL && (!isCategory(v) || expected[(int) v] == 0);
    }

    /** Numeric: outside the reference's observed [min, max]. */
    public boolean outOfRange(double v) {
      return kind == Kind.NUMERIC && (v < min || v > max);
    }

    public int binCount() {
      return kind == Kind.NUMERIC ? edges.length + 1 : categories + 1;
    }
  }
}
