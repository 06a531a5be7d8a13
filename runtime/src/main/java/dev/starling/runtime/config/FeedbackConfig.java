package dev.starling.runtime.config;

import java.time.Duration;

/**
 * Ground-truth feedback ({@code POST /v2/models/{m}/feedback}) for labelled models: the predicted
 * label of each V2 request with an {@code id} is kept for {@code ttl} (at most {@code maxEntries});
 * accuracy is reported over the last {@code window} verdicts.
 */
public record FeedbackConfig(Boolean enabled, Integer maxEntries, Duration ttl, Integer window) {

  public FeedbackConfig {
    enabled = enabled != null && enabled;
    maxEntries = maxEntries == null ? 100_000 : maxEntries;
    ttl = ttl == null ? Duration.ofHours(1) : ttl;
    window = window == null ? 1000 : window;
  }

  public static FeedbackConfig defaults() {
    return new FeedbackConfig(null, null, null, null);
  }
}
