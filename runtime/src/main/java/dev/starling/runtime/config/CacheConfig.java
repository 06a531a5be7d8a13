package dev.starling.runtime.config;

import java.time.Duration;

/** Prediction cache of one model (Caffeine): off unless {@code maxEntries} is above 0. */
public record CacheConfig(Long maxEntries, Duration ttl) {

  public CacheConfig {
    maxEntries = maxEntries == null ? 0L : maxEntries;
    ttl = ttl == null ? Duration.ofMinutes(10) : ttl;
  }

  public static CacheConfig off() {
    return new CacheConfig(0L, null);
  }

  public boolean enabled() {
    return maxEntries > 0;
  }
}
