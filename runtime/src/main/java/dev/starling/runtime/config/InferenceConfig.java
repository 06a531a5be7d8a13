package dev.starling.runtime.config;

/**
 * How ONNX Runtime is driven: threads per session, how many inferences run at once in the process,
 * how many requests per model may be in flight (running or queued) before new ones are shed with a
 * fast 503, whether that bound adapts to the latency requests get ({@code inflightLimit}: {@code
 * fixed} or {@code adaptive}), and how much lower than the rest of the server (Linux nice
 * increment, 0 = same) the inferences run.
 */
public record InferenceConfig(
    Integer intraOpThreads,
    Integer maxConcurrent,
    Integer maxInflight,
    Integer niceness,
    String inflightLimit) {

  /**
   * {@code inflightLimit}: requests per model up to {@code maxInflight}, whatever their latency.
   */
  public static final String FIXED = "fixed";

  /** {@code inflightLimit}: up to {@code maxInflight}, lowered while latency rises. */
  public static final String ADAPTIVE = "adaptive";

  public InferenceConfig {
    intraOpThreads = intraOpThreads == null ? 1 : intraOpThreads;
    maxConcurrent =
        maxConcurrent == null ? Runtime.getRuntime().availableProcessors() : maxConcurrent;
    maxInflight = maxInflight == null ? 1024 : maxInflight;
    niceness = niceness == null ? 0 : niceness;
    inflightLimit = inflightLimit == null ? FIXED : inflightLimit;
  }

  public InferenceConfig(
      Integer intraOpThreads, Integer maxConcurrent, Integer maxInflight, Integer niceness) {
    this(intraOpThreads, maxConcurrent, maxInflight, niceness, null);
  }

  /** Whether the in-flight bound adapts to latency ({@code inflightLimit: adaptive}). */
  public boolean adaptive() {
    return ADAPTIVE.equals(inflightLimit);
  }

  public InferenceConfig(Integer intraOpThreads, Integer maxConcurrent, Integer maxInflight) {
    this(intraOpThreads, maxConcurrent, maxInflight, null);
  }

  public InferenceConfig(Integer intraOpThreads, Integer maxConcurrent) {
    this(intraOpThreads, maxConcurrent, null);
  }

  public static InferenceConfig defaults() {
    return new InferenceConfig(null, null, null, null, null);
  }
}
