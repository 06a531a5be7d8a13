package dev.starling.runtime.drift;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last {@code capacity} rows seen, as one bin index per column (features, then the prediction),
 * in a ring. Lock-light: a writer claims row numbers with one atomic add, writes its plain ints,
 * then publishes with another atomic add; a reader (the scrape) reads the published count first,
 * which makes every write published before it visible. A reader may see a row half-written by a
 * writer still in progress, or a slot overwritten under it: each costs one row of a 2,000-row
 * window for one scrape, which a drift gauge can afford; a lock on the request path it could not.
 */
final class DriftWindow {
  /** Bin of a slot never written, or of a value that has no bin (missing). */
  static final int EMPTY = -1;

  private final int capacity;
  private final int[][] bins;
  private final AtomicLong claimed = new AtomicLong();
  private final AtomicLong published = new AtomicLong();

  DriftWindow(int columns, int capacity) {
    this.capacity = capacity;
    this.bins = new int[columns][capacity];
    for (int[] column : bins) {
      Arrays.fill(column, EMPTY);
    }
  }

  /** Claims {@code n} consecutive row numbers; returns the first. */
  long claim(int n) {
    return claimed.getAndAdd(n);
  }

  void set(long row, int column, int bin) {
    bins[column][(int) (row % capacity)] = bin;
  }

  void publish(int n) {
    published.addAndGet(n);
  }

  /** Rows in the window (at most its capacity). */
  int rows() {
    return (int) Math.min(published.get(), capacity);
  }

  /** Counts per bin of one column over the window; slots without a bin are left out. */
  long[] counts(int column, int binCount) {
    published.get(); // the volatile read that makes published writes visible
    long[] counts = new long[binCount];
    for (int b : bins[column]) {
      if (b >= 0 && b < binCount) {
        counts[b]++;
      }
    }
    return counts;
  }
}
