package dev.starling.runtime.config;

import java.time.Duration;

/**
 * API-key authentication: on when {@code apiKeysFile} is set. The file holds {@code id:key} lines;
 * it is re-read when it changes (every {@code reloadInterval}), so a rotated Secret needs no
 * restart.
 */
public record AuthConfig(String apiKeysFile, Boolean protectMetrics, Duration reloadInterval) {

  public AuthConfig {
    protectMetrics = protectMetrics != null && protectMetrics;
    reloadInterval = reloadInterval == null ? Duration.ofSeconds(1) : reloadInterval;
  }

  public static AuthConfig defaults() {
    return new AuthConfig(null, null, null);
  }

  public boolean enabled() {
    return apiKeysFile != null;
  }

  public AuthConfig withApiKeysFile(String file) {
    return new AuthConfig(file, protectMetrics, reloadInterval);
  }
}
