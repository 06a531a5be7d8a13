package dev.starling.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters of one model version. Counters are created once per (protocol, status) and kept, so the
 * request path only increments: no tag lists built per request.
 */
public final class ModelMeters {
  /**
   * Histogram buckets from 100µs to 10s: enough resolution for p50/p99 without 70 series. Between 1
   * and 10 ms, where a small model's answers and the overload target (admitted p99 within 2x the
   * unloaded one, shed answers under 10 ms) are read, the steps are at most 1.7x apart.
   */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofNanos(1_500_000),
    Duration.ofMillis(2),
    Duration.ofMillis(3),
    Duration.ofMillis(5),
    Duration.ofNanos(7_500_000),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;
  private final String model;
  private final String version;
  private final ConcurrentHashMap<Long, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer[]> latency = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> predicted = new ConcurrentHashMap<>();
  private final Timer inference;
  private final AtomicInteger inflight = new AtomicInteger();
  private final DistributionSummary batchRows;
  private final Timer queue;

  ModelMeters(MeterRegistry registry, String model, String version) {
    this.registry = registry;
    this.model = model;
    this.version = version;
    this.inference =
        Timer.builder("starling.inference.duration")
            .description("Time inside ONNX Runtime per call")
            .tags("model", model, "version", version)
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    this.batchRows =
        DistributionSummary.builder("starling.batch.size")
            .description("Rows per ONNX Runtime call (1 when batching is off or idle)")
            .tags("model", model, "version", version)
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    this.queue =
        Timer.builder("starling.queue.duration")
            .description("Time a request waited for an inference permit or a batch")
            .tags("model", model, "version", version)
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    Gauge.builder("starling.inflight.requests", inflight, AtomicInteger::get)
        .description("Requests being served right now")
        .tags("model", model, "version", version)
        .register(registry);
  }

  /** The {@code outcome} label of the request timer: served, shed at the in-flight bound, other. */
  public enum Outcome {
    OK("ok"),
    SHED("shed"),
    ERROR("error");

    final String label;

    Outcome(String label) {
      this.label = label;
    }

    /** A status's outcome: 2xx served, anything else an error ({@link #SHED} is said directly). */
    public static Outcome of(int status) {
      return status >= 200 && status < 300 ? OK : ERROR;
    }
  }

  /**
   * Protocol is one of a few constants ("v2", "v1"), status an HTTP code: labels stay bounded. The
   * timer is split by {@link Outcome} so that served latency is not diluted by fast refusals and a
   * shed answer's own time can be read: {@code
   * starling_request_duration_seconds_bucket{outcome="shed"}}.
   */
  public void request(String protocol, int status, Outcome outcome, long nanos) {
    long key = ((long) protocol.hashCode() << 32) | status;
    requests
        .computeIfAbsent(
            key,
            k ->
                Counter.builder("starling.requests")
                    .description("Inference requests by outcome")
                    .tags(
                        "model",
                        model,
                        "version",
                        version,
                        "protocol",
                        protocol,
                        "status",
                        Integer.toString(status))
                    .register(registry))
        .increment();
    Timer[] byOutcome = latency.computeIfAbsent(protocol, p -> new Timer[Outcome.values().length]);
    Timer timer = byOutcome[outcome.ordinal()];
    if (timer == null) {
      // registering is idempotent: a race only stores the same Timer twice
      timer =
          Timer.builder("starling.request.duration")
              .description(
                  "Time from request arrival to answer, per protocol and outcome (ok, shed, error)")
              .tags("model", model, "version", version, "protocol", protocol)
              .tag("outcome", outcome.label)
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
      byOutcome[outcome.ordinal()] = timer;
    }
    timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void inference(long nanos) {
    inference.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A request refused before it ran, by reason ("overload", "auth", "rate_limit"). */
  public void rejected(String reason) {
    rejected
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("starling.rejected.requests")
                    .description("Requests refused before inference, by reason")
                    .tags("model", model, "version", version, "reason", r)
                    .register(registry))
        .increment();
  }

  /**
   * Rows predicted as {@code label}. Callers pass only the labels of the model's signature config,
   * so there is one series per configured class (see PredictedClasses).
   */
  public void predicted(String label, int rows) {
    predicted
        .computeIfAbsent(
            label,
            c ->
                Counter.builder("starling.predictions")
                    .description("Predicted rows by class (models with signature labels)")
                    .tags("model", model, "version", version, "class", c)
                    .register(registry))
        .increment(rows);
  }

  /** An in-place model swap, by result ("ok", "failed"). */
  public void swap(String result) {
    Counter.builder("starling.model.swaps")
        .description("In-place model swaps by result")
        .tags("model", model, "version", version, "result", result)
        .register(registry)
        .increment();
  }

  public void batch(int rows) {
    batchRows.record(rows);
  }

  public void queued(long nanos) {
    queue.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /**
   * Exports {@code state}'s adaptive in-flight limit as {@code starling_inflight_limit} (the gauge
   * holds {@code state} weakly: the caller keeps it).
   */
  public <T> void inflightLimit(T state, java.util.function.ToDoubleFunction<T> limit) {
    Gauge.builder("starling.inflight.limit", state, limit)
        .description(
            "Requests this model may have in flight now (inference.inflightLimit: adaptive; the"
                + " fixed bound is inference.maxInflight)")
        .tags("model", model, "version", version)
        .register(registry);
  }

  public AtomicInteger inflight() {
    return inflight;
  }
}
