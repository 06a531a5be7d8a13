package dev.starling.runtime.config;

import java.time.Duration;

/**
 * Dynamic batching of one model: concurrent requests merged along the first dimension into one ONNX
 * Runtime call of at most {@code maxBatchSize} rows; a request waits at most {@code maxDelay} for
 * company. Off when {@code maxBatchSize} is 1.
 */
public record BatchingConfig(Integer maxBatchSize, Duration maxDelay) {

  public BatchingConfig {
    maxBatchSize = maxBatchSize == null ? 1 : maxBatchSize;
    maxDelay = maxDelay == null ? Duration.ZERO : maxDelay;
  }

  public static BatchingConfig off() {
    return new BatchingConfig(1, Duration.ZERO);
  }

  public boolean enabled() {
    return maxBatchSize > 1;
  }
}
