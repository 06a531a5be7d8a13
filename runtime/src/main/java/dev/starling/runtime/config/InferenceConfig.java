package dev.starling.runtime.config;

/**
 * How ONNX Runtime is driven: threads per session, how many inferences run at once in the process,
 * how many requests per model may be in flight (running or queued) before new ones are shed with a
 * fast 503, and how much lower than the rest of the server (Linux nice increment, 0 = same) the
 * inferences run.
 */
public record InferenceConfig(
    Integer intraOpThreads, Integer maxConcurrent, Integer maxInflight, Integer niceness) {

  public InferenceConfig {
    intraOpThreads = intraOpThreads == null ? 1 : intraOpThreads;
    maxConcurrent =
        maxConcurrent == null ? Runtime.getRuntime().availableProcessors() : maxConcurrent;
    maxInflight = maxInflight == null ? 1024 : maxInflight;
    niceness = niceness == null ? 0 : niceness;
  }

  public InferenceConfig(Integer intraOpThreads, Integer maxConcurrent, Integer maxInflight) {
    this(intraOpThreads, maxConcurrent, maxInflight, null);
  }

  public InferenceConfig(Integer intraOpThreads, Integer maxConcurrent) {
    this(intraOpThreads, maxConcurrent, null);
  }

  public static InferenceConfig defaults() {
    return new InferenceConfig(null, null, null, null);
  }
}
