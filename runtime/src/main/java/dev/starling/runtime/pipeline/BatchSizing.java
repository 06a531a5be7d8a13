package dev.starling.runtime.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides how many rows a batch of one model may hold, from the time ONNX Runtime takes per call at
 * 1, 2, 4, ... rows (measured when the model loads). Batching pays only where a bigger call costs
 * less per row: a small dense model (the MLP) runs 16 rows in little more time than one, a
 * compute-bound conv net takes about 16 times as long, and then merging requests only serializes
 * work the cores could have done side by side.
 *
 * <p>Rule: double the batch while each doubling cuts the per-row time by at least {@link
 * #MIN_GAIN}; the cap is the last size that did. Worked example, times per call in µs: {@code 1:
 * 40, 2: 44, 4: 52, 8: 70, 16: 120, 32: 260}. Per row: 40, 22, 13, 8.75, 7.5, 8.1; 16 still gains
 * 14 % over 8, 32 loses, so the cap is 16. A conv net at {@code 1: 2000, 2: 3900} gains 2.5 % per
 * row: cap 1, batching off for it. A model still gaining at the largest size probed is not capped.
 */
public final class BatchSizing {
  /**
   * One-row calls shorter than this never wait for an inference permit under opportunistic batching
   * ({@link GatePolicy#BATCHING_UNGATED_BELOW_NANOS}), so they are not probed further.
   */
  public static final long QUEUEING_CALL_NANOS = GatePolicy.BATCHING_UNGATED_BELOW_NANOS;

  /** A doubling must cut the per-row time by this share to be worth its extra waiting. */
  public static final double MIN_GAIN = 0.10;

  /** The largest batch probed; a model still gaining here is not capped. */
  public static final int PROBE_MAX_ROWS = 64;

  /** No cap: the configured {@code maxBatchSize} applies. */
  public static final int UNCAPPED = Integer.MAX_VALUE;

  private BatchSizing() {}

  /** Nanoseconds one call with {@code rows} rows takes (the best of a few runs). */
  @FunctionalInterface
  public interface CallTimer {
    long nanos(int rows);
  }

  /** One measured size. */
  public record Probe(int rows, long nanos) {
    double perRow() {
      return (double) nanos / rows;
    }
  }

  /**
   * The cap ({@link #UNCAPPED} if none) and the measurements it was drawn from; {@code tooShort}
   * when probing stopped at one row because the call is too short to queue for a permit.
   */
  public record Decision(int maxRows, List<Probe> probes, boolean tooShort) {
    public Decision(int maxRows, List<Probe> probes) {
      this(maxRows, probes, false);
    }

    public boolean batches() {
      return maxRows > 1;
    }

    /**
     * Time per row of the largest probe of at most {@code rows} rows (what a full batch of that
     * size costs per row), or -1 when nothing that small was probed.
     */
    public long nanosPerRowAt(int rows) {
      Probe at = null;
      for (Probe p : probes) {
        if (p.rows() <= rows && (at == null || p.rows() > at.rows())) {
          at = p;
        }
      }
      return at == null ? -1 : at.nanos() / at.rows();
    }

    /** For the log: "1 row 40 µs/row, 2 rows 22 µs/row, ... -> cap 16". */
    public String describe() {
      StringBuilder b = new StringBuilder();
      for (Probe p : probes) {
        if (b.length() > 0) {
          b.append(", ");
        }
        b.append(p.rows()).append(p.rows() == 1 ? " row " : " rows ");
        b.append(String.format("%.1f", p.perRow() / 1000)).append(" µs/row");
      }
      b.append(" -> ");
      b.append(
          maxRows == UNCAPPED
              ? "no cap (still gaining at " + PROBE_MAX_ROWS + " rows)"
              : tooShort
                  ? "not batched (a call is too short to wait for an inference permit)"
                  : maxRows == 1
                      ? "batching off (no per-row gain)"
                      : "at most " + maxRows + " rows");
      return b.toString();
    }
  }

  private static boolean gains(Probe bigger, Probe smaller) {
    return bigger.perRow() <= smaller.perRow() * (1 - MIN_GAIN);
  }

  /**
   * Probes 1, 2, 4, ... rows (up to {@link #PROBE_MAX_ROWS}), stopping at the first no-gain; a
   * doubling that seems not to gain is timed again, with the size before it, before it counts.
   */
  public static Decision decide(CallTimer timer) {
    return decide(timer, 0);
  }

  /**
   * As {@link #decide(CallTimer)}, but a model whose one-row call takes less than {@code
   * minCallNanos} is not probed further and gets cap 1: opportunistic batching merges only requests
   * that queue for an inference permit, and calls that short never do ({@link GatePolicy}), so
   * probing them would only lengthen the start.
   */
  public static Decision decide(CallTimer timer, long minCallNanos) {
    List<Probe> probes = new ArrayList<>();
    Probe best = new Probe(1, Math.max(1, timer.nanos(1)));
    probes.add(best);
    if (best.nanos() < minCallNanos) {
      return new Decision(1, List.copyOf(probes), true);
    }
    for (int rows = 2; rows <= PROBE_MAX_ROWS; rows *= 2) {
      Probe p = new Probe(rows, Math.max(1, timer.nanos(rows)));
      if (!gains(p, best)) {
        // A busy neighbour may have preempted one of these (session 6: a loaded machine timed the
        // MLP's 2 rows at 6x its 1 row and turned its batching off): time both once more and
        // keep each size's best before deciding.
        p = new Probe(rows, Math.min(p.nanos(), Math.max(1, timer.nanos(rows))));
        best =
            new Probe(best.rows(), Math.min(best.nanos(), Math.max(1, timer.nanos(best.rows()))));
        probes.set(probes.size() - 1, best);
      }
      probes.add(p);
      if (!gains(p, best)) {
        return new Decision(best.rows(), List.copyOf(probes));
      }
      best = p;
    }
    return new Decision(UNCAPPED, List.copyOf(probes));
  }
}
