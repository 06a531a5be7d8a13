package dev.starling.runtime.pipeline;

/**
 * Decides, per model, whether a request's inference waits for the {@link InferenceGate}.
 *
 * <p>The gate keeps long inferences from crowding the cores: a thread inside ONNX Runtime for a
 * millisecond that gets preempted holds everyone's caches. For a model whose call takes a few tens
 * of microseconds (iris: ~18 µs) that cannot happen in practice (a scheduler slice is
 * milliseconds), but the gate itself costs: with more requests than permits, every request parks
 * and is woken again, two context switches that cost more than the inference (session 5, busy
 * machine: the gate was ~23 % of the server's CPU per iris request). So a model runs ungated while
 * its estimated call time, {@code rows x time per row}, is below {@link #UNGATED_BELOW_NANOS}; the
 * in-flight bound ({@code maxInflight}) still limits how many requests it admits.
 *
 * <p>The estimate comes only from gated calls (at most one per core runs at once, so they are not
 * inflated by the ungated ones' contention): every call is gated until the first one is measured,
 * and then one call in {@link #SAMPLE_EVERY} is gated to keep it current. It is a moving average of
 * time per row with weight 1/8; one sample counts at most 4x the estimate, so a call that was
 * preempted moves it only a little. Races between threads only blur the heuristic (plain volatile
 * reads and writes; a lost update is another sample).
 */
final class GatePolicy {
  /** Estimated call time below which a request skips the gate. */
  static final long UNGATED_BELOW_NANOS = 50_000;

  /**
   * The same line for a model that batches well (opportunistic batching, measured cap above one
   * row): queueing is what merges its requests, and a merged call saves most of each request's own
   * call, so shorter calls are worth the wait. The sample MLP takes ~31 us per one-row call on an
   * AVX-512 EPYC (~100 us on earlier Xeons): ungated below 50 us it never batched there, and served
   * 25-40 % fewer requests than with its requests queued and merged. Calls as short as iris's (5-17
   * us, mostly fixed cost per call) stay ungated.
   */
  static final long BATCHING_UNGATED_BELOW_NANOS = 25_000;

  /** One call in this many (a power of two) is gated to refresh the estimate. */
  static final int SAMPLE_EVERY = 32;

  private static final long UNKNOWN = -1;

  private volatile long nanosPerRow = UNKNOWN;
  private volatile int calls;

  /** Whether a call with {@code rows} rows should wait for the gate. */
  boolean gated(long rows) {
    return gated(rows, UNGATED_BELOW_NANOS);
  }

  /** As {@link #gated(long)}, with calls estimated under {@code belowNanos} going ungated. */
  boolean gated(long rows, long belowNanos) {
    long perRow = nanosPerRow;
    if (perRow == UNKNOWN) {
      return true;
    }
    int n = calls + 1;
    calls = n;
    if ((n & (SAMPLE_EVERY - 1)) == 0) {
      return true;
    }
    return estimatedAtLeast(rows, belowNanos);
  }

  /**
   * Whether a call with {@code rows} rows is estimated at {@link #UNGATED_BELOW_NANOS} or more
   * (true while nothing was measured): false for the sampled calls of a short model, which {@link
   * Batcher} then runs on the request's own thread under the permit rather than hand it to a
   * lowered inference thread (the hand-off costs more than the call).
   */
  boolean estimatedLong(long rows) {
    return estimatedAtLeast(rows, UNGATED_BELOW_NANOS);
  }

  /** Whether {@code rows} rows are estimated at {@code nanos} or more (true before a sample). */
  private boolean estimatedAtLeast(long rows, long nanos) {
    long perRow = nanosPerRow;
    if (perRow == UNKNOWN) {
      return true;
    }
    long r = Math.max(1, rows);
    // perRow * r >= threshold, without overflow
    return perRow > 0 && r >= (nanos + perRow - 1) / perRow;
  }

  /** Records a gated call of {@code rows} rows that ran for {@code nanos}. */
  void ranGated(long nanos, long rows) {
    long sample = Math.max(0, nanos) / Math.max(1, rows);
    long perRow = nanosPerRow;
    if (perRow == UNKNOWN) {
      nanosPerRow = sample;
      return;
    }
    long capped = Math.min(sample, Math.max(perRow, 1) * 4);
    nanosPerRow = perRow + (capped - perRow) / 8;
  }

  /** The current estimate of a call's time per row (for tests), or -1 before the first sample. */
  long nanosPerRow() {
    return nanosPerRow;
  }
}
