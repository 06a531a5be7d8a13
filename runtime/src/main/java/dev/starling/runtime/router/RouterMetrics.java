package dev.starling.runtime.router;

import dev.starling.runtime.metrics.RuntimeMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The router's meters, in the runtime's registry (JVM and process metrics included) and with its
 * conventions: base units, {@code _total} counters, labels from a bounded set (versions and
 * endpoints come from the config, statuses and reasons from a few constants). Meters are created
 * once per label set and kept, so the request path only increments.
 */
public final class RouterMetrics {
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
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

  /** The {@code outcome} label values, by {@link #outcome}'s index. */
  static final String[] OUTCOMES = {"ok", "shed", "error"};

  /** Output differences from float rounding (1e-7) to a different answer (1). */
  private static final double[] DIFF_BUCKETS = {1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 0.5, 1};

  private final RuntimeMetrics runtime;
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, VersionMeters> versions = new ConcurrentHashMap<>();
  private final Map<String, DiffMeters> diffs = new ConcurrentHashMap<>();
  private final Histogram absDiff;
  private final Histogram relDiff;
  private final List<Meter> tableGauges = new ArrayList<>();

  public RouterMetrics(RuntimeMetrics runtime) {
    this.runtime = runtime;
    this.registry = runtime.registry();
    this.absDiff =
        diffHistogram("starling_router_mirror_abs_diff", "Largest absolute output difference");
    this.relDiff =
        diffHistogram("starling_router_mirror_rel_diff", "Largest relative output difference");
  }

  public String scrape() {
    return runtime.scrape();
  }

  /**
   * A request answered by (or on behalf of) {@code version}; "none" when none was chosen. Its time
   * goes to the timer of its {@link #outcome}, so that the served requests' p99 is not pulled down
   * by the router's fast 503s.
   */
  public void request(String version, int status, long nanos) {
    VersionMeters m = versions.get(version);
    if (m == null) {
      m = versions.computeIfAbsent(version, VersionMeters::new);
    }
    m.status(status).increment();
    m.latency(outcome(status)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The {@code outcome} label (an index into {@link #OUTCOMES}) of the router's request timer, the
   * runtime's three applied to the router: {@code ok} a 2xx answer passed on from a backend; {@code
   * shed} a 503, the router's own when it could not place the request (no ready version or
   * endpoint, every connection to the endpoint in use) or a backend's passed on (a runtime's 503 at
   * its in-flight bound, or not ready) — "not now, elsewhere or later", usually answered fast;
   * {@code error} everything else (4xx, a backend's 500, the router's 502/504 for a broken or late
   * backend).
   */
  static int outcome(int status) {
    if (status >= 200 && status < 300) {
      return 0;
    }
    return status == 503 ? 1 : 2;
  }

  /** A request the router answered itself: connect, reset, timeout, no_ready_endpoint, ... */
  public void backendError(String version, String reason) {
    counter(
            "starling.router.backend.errors",
            "Requests the router could not get answered by a backend",
            "version",
            version,
            "reason",
            reason)
        .increment();
  }

  public void retry(String version) {
    counter(
            "starling.router.retries",
            "Requests sent again after a refused connection (never after they may have run)",
            "version",
            version)
        .increment();
  }

  public void mirrorResult(String live, String shadow, String result) {
    counter(
            "starling.router.mirror.agreement",
            "Shadow answers compared with live ones: agree, disagree or error",
            "live",
            live,
            "shadow",
            shadow,
            "result",
            result)
        .increment();
  }

  public void mirrorDiff(String live, String shadow, double maxAbs, double maxRel) {
    DiffMeters m = diffs.get(live + '\0' + shadow);
    if (m == null) {
      m = diffs.computeIfAbsent(live + '\0' + shadow, k -> new DiffMeters(live, shadow));
    }
    m.record(maxAbs, maxRel);
  }

  public void mirrorDropped(String shadow, String reason) {
    counter(
            "starling.router.mirror.dropped",
            "Mirror copies not sent or not compared (busy, no ready endpoint, backlog)",
            "shadow",
            shadow,
            "reason",
            reason)
        .increment();
  }

  public void reload(String result) {
    counter("starling.router.config.reloads", "Config file changes seen", "result", result)
        .increment();
  }

  /** Re-registers the per-version and per-endpoint gauges for a new routing table. */
  synchronized void table(RoutingTable t) {
    tableGauges.forEach(registry::remove);
    tableGauges.clear();
    tableGauges.add(
        Gauge.builder("starling.router.panic", t, x -> x.panic() ? 1 : 0)
            .description(
                "1 while every health check times out and the router routes to the endpoints"
                    + " that were ready before (panic mode)")
            .register(registry));
    for (VersionRoute v : t.versions()) {
      tableGauges.add(
          Gauge.builder("starling.router.version.weight", v, VersionRoute::weight)
              .description("Configured weight of a version")
              .tags("version", v.name())
              .register(registry));
      tableGauges.add(
          Gauge.builder("starling.router.version.effective.weight", v, t::effectiveWeight)
              .description("Share of unpinned traffic a version gets now (0 while not ready)")
              .tags("version", v.name())
              .register(registry));
      for (Endpoint e : v.endpoints()) {
        tableGauges.add(
            Gauge.builder("starling.router.endpoint.ready", e, x -> x.ready() ? 1 : 0)
                .description("1 while the endpoint passes its health check")
                .tags("version", v.name(), "endpoint", e.id())
                .register(registry));
      }
    }
  }

  private Counter counter(String name, String description, String... tags) {
    String key = name + '\0' + String.join("\0", tags);
    Counter c = counters.get(key);
    if (c == null) {
      c =
          counters.computeIfAbsent(
              key,
              k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }
    return c;
  }

  /**
   * A Prometheus-client histogram on the registry's own Prometheus registry: Micrometer's
   * histograms round every value up to a whole number before bucketing (0.018 would count only from
   * {@code le="1.0"} up), which makes buckets below 1 useless for differences of scores.
   */
  private Histogram diffHistogram(String name, String help) {
    return Histogram.builder()
        .name(name)
        .help(help)
        .labelNames("live", "shadow")
        .classicUpperBounds(DIFF_BUCKETS)
        .classicOnly()
        .withoutExemplars()
        .register(runtime.registry().getPrometheusRegistry());
  }

  /**
   * The two difference histograms of one live/shadow pair, and their {@code _max} gauges (the
   * largest value of the last two minutes or so, as Micrometer's own histograms have).
   */
  private final class DiffMeters {
    private final DistributionDataPoint abs;
    private final DistributionDataPoint rel;
    private final TimeWindowMax absMax;
    private final TimeWindowMax relMax;

    DiffMeters(String live, String shadow) {
      abs = absDiff.labelValues(live, shadow);
      rel = relDiff.labelValues(live, shadow);
      absMax = max("starling.router.mirror.abs.diff.max", live, shadow);
      relMax = max("starling.router.mirror.rel.diff.max", live, shadow);
    }

    private TimeWindowMax max(String name, String live, String shadow) {
      TimeWindowMax max =
          new TimeWindowMax(registry.config().clock(), DistributionStatisticConfig.DEFAULT);
      Gauge.builder(name, max, TimeWindowMax::poll)
          .description("Largest recent value of the histogram without _max")
          .tags("live", live, "shadow", shadow)
          .register(registry);
      return max;
    }

    void record(double maxAbs, double maxRel) {
      abs.observe(maxAbs);
      rel.observe(maxRel);
      absMax.record(maxAbs);
      relMax.record(maxRel);
    }
  }

  /** Request meters of one version: a timer per outcome and a counter per status, on first use. */
  private final class VersionMeters {
    private final String version;
    private final AtomicReferenceArray<Timer> byOutcome =
        new AtomicReferenceArray<>(OUTCOMES.length);
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);

    VersionMeters(String version) {
      this.version = version;
    }

    Timer latency(int i) {
      Timer t = byOutcome.get(i);
      if (t == null) {
        // Micrometer's register answers the meter already registered for the same name and tags.
        t =
            Timer.builder("starling.router.request.duration")
                .description("Time from request read to response written, per version and outcome")
                .tags("version", version, "outcome", OUTCOMES[i])
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        byOutcome.set(i, t);
      }
      return t;
    }

    Counter status(int status) {
      int i = status >= 100 && status < 600 ? status : 599;
      Counter c = byStatus.get(i);
      if (c == null) {
        c =
            counter(
                "starling.router.requests",
                "Requests through the router by version and status",
                "version",
                version,
                "status",
                Integer.toString(status));
        byStatus.set(i, c);
      }
      return c;
    }
  }
}
