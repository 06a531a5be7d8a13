package dev.starling.runtime.router.config;

import java.time.Duration;

/**
 * The active health check: {@code GET /v2/health/ready} on every endpoint each {@code interval}.
 */
public record HealthConfig(Duration interval, Duration timeout) {
  public HealthConfig {
    interval = interval == null ? Duration.ofSeconds(1) : interval;
    timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
  }

  public static HealthConfig defaults() {
    return new HealthConfig(null, null);
  }
}
