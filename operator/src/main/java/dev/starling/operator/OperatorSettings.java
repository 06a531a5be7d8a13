package dev.starling.operator;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's configuration, read from the environment and validated at start.
 *
 * @param runtimeImage default runtime image for versions without {@code spec.versions[].image}
 * @param leaderElection whether to take a Lease before reconciling
 * @param leaseName name of the Lease
 * @param leaseNamespace namespace of the Lease; empty means the operator's own namespace
 * @param httpPort port of the /metrics and /healthz server; 0 picks a free one
 * @param reconcileThreads concurrent reconciliations
 * @param resyncPeriod how often every ModelDeployment is re-checked without an event
 */
public record OperatorSettings(
    String runtimeImage,
    boolean leaderElection,
    String leaseName,
    Optional<String> leaseNamespace,
    int httpPort,
    int reconcileThreads,
    Duration resyncPeriod) {

  public static final String DEFAULT_IMAGE_REPOSITORY = "starling/runtime";

  public OperatorSettings {
    if (runtimeImage == null || runtimeImage.isBlank()) {
      throw new IllegalArgumentException("STARLING_RUNTIME_IMAGE must not be empty");
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("STARLING_HTTP_PORT must be 0..65535, got " + httpPort);
    }
    if (reconcileThreads < 1) {
      throw new IllegalArgumentException(
          "STARLING_RECONCILE_THREADS must be at least 1, got " + reconcileThreads);
    }
  }

  /** Reads the settings from environment variables; {@code version} is the operator's version. */
  public static OperatorSettings fromEnv(Map<String, String> env, String version) {
    return new OperatorSettings(
        env.getOrDefault("STARLING_RUNTIME_IMAGE", DEFAULT_IMAGE_REPOSITORY + ":" + version),
        Boolean.parseBoolean(env.getOrDefault("STARLING_LEADER_ELECTION", "true")),
        env.getOrDefault("STARLING_LEASE_NAME", "starling-operator"),
        Optional.ofNullable(env.get("STARLING_LEASE_NAMESPACE")).filter(s -> !s.isBlank()),
        parseInt(env, "STARLING_HTTP_PORT", 8081),
        parseInt(env, "STARLING_RECONCILE_THREADS", 10),
        Duration.ofSeconds(parseInt(env, "STARLING_RESYNC_SECONDS", 600)));
  }

  /** Settings for tests: no leader election, a free HTTP port. */
  public static OperatorSettings forTests(String runtimeImage) {
    return new OperatorSettings(
        runtimeImage, false, "starling-operator", Optional.empty(), 0, 10, Duration.ofMinutes(10));
  }

  private static int parseInt(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
    }
  }
}
