package dev.starling.runtime.pipeline;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limit.window.PercentileSampleWindowFactory;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One model's adaptive in-flight limit ({@code inference.inflightLimit: adaptive}): how many of its
 * requests may be decoded, queued or run at once, moved by the latency they get (Netflix's
 * concurrency-limits, the gradient algorithm on windowed p90 latency), under the fixed {@code
 * maxInflight} bound.
 *
 * <p>Why: a fixed bound is right for one machine and load only. Too high and, under overload,
 * admitted requests queue behind each other (with the default 1,024 the heavy sample model at 3x
 * capacity shed nothing, and its admitted answers' client-side p99 was 1.7 s); too low and a server
 * with idle cores sheds. The limit starts at the inference permits ({@code maxConcurrent}: one
 * running inference per permit, no queue) and, once a window (0.1-1 s, at least {@link
 * #WINDOW_SAMPLES} answers) is measured, becomes {@code limit x gradient + 1}, smoothed, where
 * {@code gradient = min(1, 1.2 x long-term p90 / this window's p90)}, at least 0.5. So latency
 * within 1.2x its long-term level lets the limit grow by one per window (up to {@code
 * maxInflight}), and a window slower than that shrinks it in proportion.
 *
 * <p>Worked example (smoothing 0.2): limit 8, long-term p90 1 ms, a window's p90 3 ms -> gradient
 * max(0.5, 1.2 / 3) = 0.5 -> target 8 x 0.5 + 1 = 5 -> limit 8 x 0.8 + 5 x 0.2 = 7.4; repeated
 * windows like it take it to 2 (= 2 x 0.5 + 1, the floor whatever the latency: requests running,
 * none queued behind them on two permits). Requests over the limit get the same fast 503 as those
 * over {@code maxInflight}.
 */
public final class AdaptiveInflightLimit {
  /** Answers a window needs before it counts (fewer: it is dropped and a new one starts). */
  static final int WINDOW_SAMPLES = 20;

  /**
   * Latency inflation tolerated before the limit shrinks. Under pure queueing on {@code P} permits
   * latency grows as {@code limit / P}, so the limit settles near {@code tolerance x P + 1}: with
   * the library's default 1.5 that was 4 on two permits (a queue as deep as the permits), with 1.2
   * about 3 (session 10, busy: the heavy model's admitted requests waited 0.6-0.7 ms for a permit
   * instead of 1.1 ms).
   */
  static final double RTT_TOLERANCE = 1.2;

  /**
   * Windows the long-term latency averages over (the library's default is 600). With 0.1-1 s
   * windows, 600 let a lasting overload become the long-term level within seconds, and the limit
   * crept back up under it (6 -> 9 in 15 s at 3x capacity); 6,000 held it at 3-4. The cost would be
   * a model that gets slower for good running at a low limit until the average follows, up to tens
   * of minutes; the one such change the runtime knows of, an in-place swap to another model file,
   * starts the limit afresh instead ({@link #follow}).
   */
  static final int LONG_WINDOWS = 6_000;

  private final int initial;
  private final LongSupplier clock;
  private volatile Learned learned;

  /** The limiter and what it learned on: the loaded model (identity) and the fixed bound. */
  private record Learned(SimpleLimiter<Void> limiter, Object model, int max) {}

  /**
   * {@code initial}: the limit to start at (the inference permits); {@code max}: the highest it may
   * reach (the fixed {@code maxInflight}); {@code clock}: nanoseconds, {@link System#nanoTime} but
   * in tests.
   */
  public AdaptiveInflightLimit(int initial, int max, LongSupplier clock) {
    this.initial = initial;
    this.clock = clock;
    this.learned = new Learned(limiter(initial, max, clock), null, max);
  }

  public AdaptiveInflightLimit(int initial, int max) {
    this(initial, max, System::nanoTime);
  }

  /**
   * Starts afresh, at the initial limit, when the model it serves is another one than the limit
   * learned on (an in-place swap: another file's latency says nothing about this one's) or the
   * fixed bound changed (a reloaded {@code maxInflight}). {@code model}: the loaded model, compared
   * by identity (the first one seen starts a limiter as fresh as the one made at construction).
   * Requests admitted before finish on the old limiter.
   */
  public AdaptiveInflightLimit follow(Object model, int max) {
    Learned l = learned;
    if (l.model() == model && l.max() == max) {
      return this;
    }
    synchronized (this) {
      l = learned;
      if (l.model() != model || l.max() != max) {
        learned = new Learned(limiter(initial, max, clock), model, max);
      }
    }
    return this;
  }

  private static SimpleLimiter<Void> limiter(int initial, int max, LongSupplier clock) {
    int top = Math.max(1, max);
    Gradient2Limit gradient =
        Gradient2Limit.newBuilder()
            .initialLimit(Math.max(1, Math.min(initial, top)))
            .minLimit(1)
            .maxConcurrency(top)
            .queueSize(1)
            .rttTolerance(RTT_TOLERANCE)
            .longWindow(LONG_WINDOWS)
            .build();
    WindowedLimit windowed =
        WindowedLimit.newBuilder()
            .minWindowTime(100, TimeUnit.MILLISECONDS)
            .maxWindowTime(1, TimeUnit.SECONDS)
            .windowSize(WINDOW_SAMPLES)
            .minRttThreshold(1, TimeUnit.MICROSECONDS)
            .sampleWindowFactory(PercentileSampleWindowFactory.of(0.9, 1000))
            .build(gradient);
    return SimpleLimiter.newBuilder().limit(windowed).nanoClock(clock).build();
  }

  /**
   * A place under the limit, or empty when the model is at it (shed). The place's {@link
   * Limiter.Listener} must be told how the request ended: {@code onSuccess} for an answer whose
   * latency counts, {@code onIgnore} for one whose does not (bad input, a model fault).
   */
  public Optional<Limiter.Listener> acquire() {
    return learned.limiter().acquire(null);
  }

  /** Whether a request now would be over the limit (no place is taken). */
  public boolean full() {
    SimpleLimiter<Void> limiter = learned.limiter();
    return limiter.getInflight() >= limiter.getLimit();
  }

  /** The limit in force. */
  public int limit() {
    return learned.limiter().getLimit();
  }
}
