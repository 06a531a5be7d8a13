package dev.starling.runtime.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.runtime.config.RateLimitConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;

/**
 * One token bucket per client (Bucket4j): {@code burst} tokens, refilled at {@code
 * requestsPerSecond}, one token per request. Buckets live in a bounded Caffeine cache, so a flood
 * of distinct client addresses costs at most {@code maxClients} buckets. A bucket idle for longer
 * than it takes to refill completely is dropped: a fresh one is full too, so dropping it changes
 * nothing for its client.
 *
 * <p>New limits from a reloaded config ({@link #reconfigure}) reach each bucket on its client's
 * next request, keeping the tokens it holds (at most the new burst): a client that had spent its
 * burst does not get a fresh one because the limits changed.
 */
public final class RateLimiter {
  private final Cache<String, Held> buckets;
  private volatile Limits limits;

  /** The limits in force and the bucket configuration they make. */
  private record Limits(
      long burst, Duration refillOne, Bandwidth bandwidth, BucketConfiguration bucket) {
    static Limits of(RateLimitConfig cfg) {
      long burst = cfg.burst();
      // Example: 50 rps → one token every 20 ms; burst 100 refills from empty in 2 s.
      Duration refillOne = Duration.ofNanos(Math.max(1, Math.round(1e9 / cfg.requestsPerSecond())));
      Bandwidth bandwidth = Bandwidth.builder().capacity(burst).refillGreedy(1, refillOne).build();
      return new Limits(
          burst, refillOne, bandwidth, BucketConfiguration.builder().addLimit(bandwidth).build());
    }

    Duration idleExpiry() {
      Duration fullRefill = refillOne.multipliedBy(burst);
      return fullRefill.compareTo(Duration.ofSeconds(1)) >= 0 ? fullRefill : Duration.ofSeconds(1);
    }
  }

  /** A client's bucket and the limits it was last configured with. */
  private static final class Held {
    final Bucket bucket;
    volatile Limits limits;

    Held(Limits limits) {
      this.bucket = Bucket.builder().withNanosecondPrecision().addLimit(limits.bandwidth()).build();
      this.limits = limits;
    }
  }

  public RateLimiter(RateLimitConfig cfg) {
    this.limits = Limits.of(cfg);
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(cfg.maxClients())
            .expireAfterAccess(limits.idleExpiry())
            .build();
  }

  /** New rate, burst or maxClients, in place (see the class comment). */
  public void reconfigure(RateLimitConfig cfg) {
    Limits next = Limits.of(cfg);
    limits = next;
    buckets.policy().eviction().ifPresent(e -> e.setMaximum(cfg.maxClients()));
    buckets.policy().expireAfterAccess().ifPresent(e -> e.setExpiresAfter(next.idleExpiry()));
  }

  /**
   * Takes a token for {@code client}. Returns 0 if the request may go on, else how many nanoseconds
   * until the client's next token.
   */
  public long tryAcquire(String client) {
    Limits now = limits;
    Held held = buckets.get(client, k -> new Held(now));
    if (held.limits != now) {
      synchronized (held) {
        if (held.limits != now) {
          held.bucket.replaceConfiguration(now.bucket(), TokensInheritanceStrategy.AS_IS);
          held.limits = now;
        }
      }
    }
    ConsumptionProbe probe = held.bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }

  /** Buckets held right now (for tests and the gauge). */
  public long clients() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }
}
