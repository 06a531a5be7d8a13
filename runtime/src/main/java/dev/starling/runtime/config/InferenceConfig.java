package dev.starling.runtime.config;

/**
 * How ONNX Runtime is driven: threads per session, how many inferences run at once in the process,
 * how many requests per model may be in flight (running or queued) before new ones are shed with a
 * fast 503, and how much lower than the rest of the server (Linux nice increment, 0 = same) the
 * inferences run: 10 unless set, see {@link #DEFAULT_NICENESS}.
 */
public record InferenceConfig(
    Integer intraOpThreads, Integer maxConcurrent, Integer maxInflight, Integer niceness) {

  /**
   * Inference (and the JIT compiler) at nice +10 by default: under overload the fast 503s and the
   * admitted answers no longer wait for a core behind running inferences (session 8, quiet, 2
   * cores: 503 p99 10.7 -> 2.8 ms, admitted p99 4.65x -> 1.51x the unloaded p99), and with the JIT
   * compiler lowered too a single core no longer starves the inference thread (session 9,
   * bench/results/overload-2026-11-28-s9-*.md).
   */
  public static final int DEFAULT_NICENESS = 10;

  public InferenceConfig {
    intraOpThreads = intraOpThreads == null ? 1 : intraOpThreads;
    maxConcurrent =
        maxConcurrent == null ? Runtime.getRuntime().availableProcessors() : maxConcurrent;
    maxInflight = maxInflight == null ? 1024 : maxInflight;
    niceness = niceness == null ? DEFAULT_NICENESS : niceness;
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
