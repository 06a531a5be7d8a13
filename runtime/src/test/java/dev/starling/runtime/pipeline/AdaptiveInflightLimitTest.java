package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.concurrency.limits.Limiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The adaptive in-flight limit on a fake clock: windows of answers with chosen latencies. */
class AdaptiveInflightLimitTest {
  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1));

  /**
   * One window: rounds of the limit's worth of requests taken at once (so the model is not
   * app-limited), each answered {@code latencyMicros} later, until at least {@link
   * AdaptiveInflightLimit#WINDOW_SAMPLES} answers and 100 ms went by.
   */
  private void window(AdaptiveInflightLimit limit, long latencyMicros) {
    long end = now.get() + TimeUnit.MILLISECONDS.toNanos(110);
    int answered = 0;
    while (answered < AdaptiveInflightLimit.WINDOW_SAMPLES || now.get() < end) {
      List<Limiter.Listener> places = new ArrayList<>();
      Optional<Limiter.Listener> p;
      while ((p = limit.acquire()).isPresent()) {
        places.add(p.get());
      }
      now.addAndGet(TimeUnit.MICROSECONDS.toNanos(latencyMicros));
      places.forEach(Limiter.Listener::onSuccess);
      answered += places.size();
    }
  }

  @Test
  void startsAtThePermitsAndShedsBeyondTheLimit() {
    AdaptiveInflightLimit limit = new AdaptiveInflightLimit(2, 64, now::get);
    assertThat(limit.limit()).isEqualTo(2);
    Optional<Limiter.Listener> a = limit.acquire();
    Optional<Limiter.Listener> b = limit.acquire();
    assertThat(a).isPresent();
    assertThat(b).isPresent();
    assertThat(limit.full()).isTrue();
    assertThat(limit.acquire()).as("over the limit: shed").isEmpty();
    a.get().onIgnore();
    assertThat(limit.full()).isFalse();
    assertThat(limit.acquire()).isPresent();
  }

  @Test
  void growsWhileLatencyHoldsAndShrinksWhenItRises() {
    AdaptiveInflightLimit limit = new AdaptiveInflightLimit(2, 16, now::get);
    for (int i = 0; i < 40; i++) {
      window(limit, 1_000);
    }
    int grown = limit.limit();
    assertThat(grown).as("steady 1 ms at full concurrency: room to admit more").isGreaterThan(4);

    for (int i = 0; i < 40; i++) {
      window(limit, 6_000);
    }
    assertThat(limit.limit())
        .as("latency 6x its long-term level: back to the floor of one running per permit")
        .isLessThanOrEqualTo(2);
  }

  @Test
  void neverPassesTheFixedBound() {
    AdaptiveInflightLimit limit = new AdaptiveInflightLimit(2, 5, now::get);
    for (int i = 0; i < 80; i++) {
      window(limit, 500);
    }
    assertThat(limit.limit()).isEqualTo(5);
  }

  @Test
  void answersWhoseLatencyDoesNotCountLeaveTheLimitAlone() {
    AdaptiveInflightLimit limit = new AdaptiveInflightLimit(2, 16, now::get);
    for (int i = 0; i < 40; i++) {
      window(limit, 1_000);
    }
    int before = limit.limit();
    for (int i = 0; i < 2_000; i++) {
      Limiter.Listener p = limit.acquire().orElseThrow();
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
      p.onIgnore(); // a 4xx or a model fault, however long it took
    }
    assertThat(limit.limit()).isEqualTo(before);
  }

  @Test
  void anotherModelOrBoundStartsTheLimitAfresh() {
    Object first = new Object();
    AdaptiveInflightLimit limit = new AdaptiveInflightLimit(2, 16, now::get).follow(first, 16);
    for (int i = 0; i < 40; i++) {
      window(limit, 1_000);
    }
    for (int i = 0; i < 40; i++) {
      window(limit, 6_000); // the long-term level learned on the fast model says 6 ms is slow
    }
    assertThat(limit.limit()).isLessThanOrEqualTo(2);
    int learnedLow = limit.limit();
    limit.follow(first, 16);
    assertThat(limit.limit()).as("same model, same bound: kept").isEqualTo(learnedLow);

    Object swapped = new Object(); // an in-place swap loaded another file
    limit.follow(swapped, 16);
    for (int i = 0; i < 40; i++) {
      window(limit, 6_000); // its steady latency
    }
    assertThat(limit.limit())
        .as("learned afresh on the swapped model: 6 ms is its normal, so the limit grows")
        .isGreaterThan(4);

    limit.follow(swapped, 3);
    assertThat(limit.limit()).as("a reloaded bound starts it again at the permits").isEqualTo(2);
    for (int i = 0; i < 40; i++) {
      window(limit, 6_000);
    }
    assertThat(limit.limit()).isEqualTo(3);
  }
}
