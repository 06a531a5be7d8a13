package dev.starling.runtime.router.config;

import java.time.Duration;

/**
 * The active health check: {@code GET /v2/health/ready} on every endpoint each {@code interval}. A
 * refused connection or an answer other than 200 (the runtime saying it is not ready, e.g. while
 * draining) takes the endpoint out at once; checks that time out or break count, and {@code
 * failureThreshold} of them in a row take it out, so one slow check on a busy node does not.
 */
public record HealthConfig(Duration interval, Duration timeout, Integer failureThreshold) {
  public HealthConfig {
    interval = interval == null ? Duration.ofSeconds(1) : interval;
    timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
    failureThreshold = failureThreshold == null ? 3 : failureThreshold;
  }

  public static HealthConfig defaults() {
    return new HealthConfig(null, null, null);
  }
}
