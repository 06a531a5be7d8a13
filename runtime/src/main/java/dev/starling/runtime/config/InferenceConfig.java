package dev.starling.runtime.config;

/** How ONNX Runtime is driven: threads per session and how many inferences run at once. */
public record InferenceConfig(Integer intraOpThreads, Integer maxConcurrent) {

  public InferenceConfig {
    intraOpThreads = intraOpThreads == null ? 1 : intraOpThreads;
    maxConcurrent =
        maxConcurrent == null ? Runtime.getRuntime().availableProcessors() : maxConcurrent;
  }

  public static InferenceConfig defaults() {
    return new InferenceConfig(null, null);
  }
}
