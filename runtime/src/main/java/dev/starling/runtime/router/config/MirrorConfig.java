package dev.starling.runtime.router.config;

/**
 * Shadow traffic: {@code percent} of live requests are copied to {@code version}; its answers are
 * compared with the live ones and never returned. At most {@code maxInflight} copies are
 * outstanding; more are dropped (and counted). {@code maxAbsDiff}, when set, is the largest
 * absolute difference of any output value for an answer to still count as agreeing.
 */
public record MirrorConfig(
    String version, Integer percent, Integer maxInflight, Double maxAbsDiff) {
  public MirrorConfig {
    maxInflight = maxInflight == null ? 64 : maxInflight;
  }
}
