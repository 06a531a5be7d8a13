package dev.starling.runtime.config;

/** Bounds on what one request may contain; each one a defence against hostile input. */
public record LimitsConfig(
    Integer maxJsonDepth,
    Integer maxStringLength,
    Integer maxNumberLength,
    Long maxElementsPerRequest) {

  public LimitsConfig {
    maxJsonDepth = maxJsonDepth == null ? 32 : maxJsonDepth;
    maxStringLength = maxStringLength == null ? 1024 * 1024 : maxStringLength;
    maxNumberLength = maxNumberLength == null ? 100 : maxNumberLength;
    maxElementsPerRequest =
        maxElementsPerRequest == null ? 4L * 1024 * 1024 : maxElementsPerRequest;
  }

  public static LimitsConfig defaults() {
    return new LimitsConfig(null, null, null, null);
  }
}
