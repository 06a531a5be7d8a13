package dev.starling.runtime.config;

import java.time.Duration;

/**
 * Dynamic batching of one model: concurrent requests merged along the first dimension into one ONNX
 * Runtime call of at most {@code maxBatchSize} rows; a request waits at most {@code maxDelay} for
 * company. Off when {@code maxBatchSize} is 1.
 *
 * <p>Left unset ({@code maxBatchSize} null), batching is <em>opportunistic</em>: only requests that
 * would wait for an inference permit anyway (calls long enough to be gated, see {@code GatePolicy})
 * join the queue, and those already waiting while ONNX Runtime is busy are merged into the next
 * call, up to {@link #DEFAULT_MAX_BATCH_SIZE} rows and the model's measured cap. With no queue
 * nothing is merged and, with {@code maxDelay} 0, nothing waits, so it adds no latency; a server
 * with more requests than cores turns its queue into fewer, larger calls.
 */
public record BatchingConfig(Integer maxBatchSize, Duration maxDelay) {

  /** Most rows of an opportunistic batch (then capped by the model's measured gain). */
  public static final int DEFAULT_MAX_BATCH_SIZE = 32;

  /** Opportunistic batching: what a model gets when its config says nothing. */
  public static final BatchingConfig DEFAULT = new BatchingConfig(null, null);

  public BatchingConfig {
    maxDelay = maxDelay == null ? Duration.ZERO : maxDelay;
  }

  public static BatchingConfig off() {
    return new BatchingConfig(1, Duration.ZERO);
  }

  /** The configured size, or {@link #DEFAULT_MAX_BATCH_SIZE} when none was given. */
  @Override
  public Integer maxBatchSize() {
    return maxBatchSize == null ? DEFAULT_MAX_BATCH_SIZE : maxBatchSize;
  }

  /** No size configured: only requests that queue for a permit anyway are merged. */
  public boolean opportunistic() {
    return maxBatchSize == null;
  }

  public boolean enabled() {
    return maxBatchSize() > 1;
  }

  /** The same size setting (configured or not) with another {@code maxDelay}. */
  public BatchingConfig withMaxDelay(Duration d) {
    return new BatchingConfig(maxBatchSize, d);
  }
}
