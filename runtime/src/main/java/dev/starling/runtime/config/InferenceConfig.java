package dev.starling.runtime.config;

/**
 * How ONNX Runtime is driven: threads per session, how many inferences run at once in the process,
 * and how many requests per model may be in flight (running or queued) before new ones are shed
 * with a fast 503.
 */
public record InferenceConfig(Integer intraOpThreads, Integer maxConcurrent, Integer maxInflight) {

  public InferenceConfig {
    intraOpThreads = intraOpThreads == null ? 1 : intraOpThreads;
    maxConcurrent =
        maxConcurrent == null ? Runtime.getRuntime().availableProcessors() : maxConcurrent;
    maxInflight = maxInflight == null ? 1024 : maxInflight;
  }

  public InferenceConfig(Integer intraOpThreads, Integer maxConcurrent) {
    this(intraOpThreads, maxConcurrent, null);
  }

  public static InferenceConfig defaults() {
    return new InferenceConfig(null, null, null);
  }
}
