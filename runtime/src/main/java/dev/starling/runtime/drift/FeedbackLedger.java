package dev.starling.runtime.drift;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.runtime.config.FeedbackConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One labelled model's predictions awaiting ground truth: request id → predicted class, bounded
 * ({@code maxEntries}, {@code ttl}) so ids nobody reports on cannot pile up. A verdict consumes its
 * id (one verdict per prediction) and lands in a ring of the last {@code window} verdicts that the
 * accuracy gauge reads.
 */
final class FeedbackLedger {
  enum Verdict {
    CORRECT,
    INCORRECT,
    UNKNOWN_ID
  }

  private final Cache<String, Integer> predicted;
  private final byte[] verdicts;
  private final AtomicLong claimed = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final Counter[] counters = new Counter[Verdict.values().length];

  FeedbackLedger(FeedbackConfig cfg, String model, String version, MeterRegistry r) {
    predicted =
        Caffeine.newBuilder().maximumSize(cfg.maxEntries()).expireAfterWrite(cfg.ttl()).build();
    verdicts = new byte[cfg.window()];
    Arrays.fill(verdicts, (byte) -1);
    for (Verdict v : Verdict.values()) {
      counters[v.ordinal()] =
          Counter.builder("starling.feedback")
              .description("Ground-truth labels received, by whether the prediction was right")
              .tags("model", model, "version", version, "result", v.name().toLowerCase())
              .register(r);
    }
    Gauge.builder("starling.feedback.accuracy", this, FeedbackLedger::accuracy)
        .description("Share of correct predictions over the last feedback window")
        .tags("model", model, "version", version)
        .register(r);
  }

  void remember(String id, int label) {
    predicted.put(id, label);
  }

  Verdict judge(String id, int label) {
    Integer p = predicted.asMap().remove(id);
    Verdict v = p == null ? Verdict.UNKNOWN_ID : p == label ? Verdict.CORRECT : Verdict.INCORRECT;
    counters[v.ordinal()].increment();
    if (v != Verdict.UNKNOWN_ID) {
      long slot = claimed.getAndIncrement();
      verdicts[(int) (slot % verdicts.length)] = (byte) (v == Verdict.CORRECT ? 1 : 0);
      published.incrementAndGet();
    }
    return v;
  }

  /** Correct verdicts over the window; NaN before the first verdict. */
  double accuracy() {
    published.get();
    int n = 0;
    int correct = 0;
    for (byte b : verdicts) {
      if (b >= 0) {
        n++;
        correct += b;
      }
    }
    return n == 0 ? Double.NaN : (double) correct / n;
  }
}
