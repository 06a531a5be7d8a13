package dev.starling.runtime.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.runtime.config.RateLimitConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;

/**
 * One token bucket per client (Bucket4j): {@code burst} tokens, refilled at {@code
 * requestsPerSecond}, one token per request. Buckets live in a bounded Caffeine cache, so a flood
 * of distinct client addresses costs at most {@code maxClients} buckets. A bucket idle for longer
 * than it takes to refill completely is dropped: a fresh one is full too, so dropping it changes
 * nothing for its client.
 */
public final class RateLimiter {
  private final Cache<String, Bucket> buckets;
  private final long burst;
  private final Duration refillOne;

  public RateLimiter(RateLimitConfig cfg) {
    this.burst = cfg.burst();
    // Example: 50 rps → one token every 20 ms; burst 100 refills from empty in 2 s.
    this.refillOne = Duration.ofNanos(Math.max(1, Math.round(1e9 / cfg.requestsPerSecond())));
    Duration fullRefill = refillOne.multipliedBy(burst);
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(cfg.maxClients())
            .expireAfterAccess(max(fullRefill, Duration.ofSeconds(1)))
            .build();
  }

  /**
   * Takes a token for {@code client}. Returns 0 if the request may go on, else how many nanoseconds
   * until the client's next token.
   */
  public long tryAcquire(String client) {
    ConsumptionProbe probe = buckets.get(client, k -> newBucket()).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }

  /** Buckets held right now (for tests and the gauge). */
  public long clients() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .withNanosecondPrecision()
        .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(1, refillOne).build())
        .build();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
