package dev.starling.runtime.config;

/** Log output: {@code json} (one object per line, for collectors) or {@code text}. */
public record LoggingConfig(String format) {

  public LoggingConfig {
    format = format == null ? "json" : format;
  }

  public static LoggingConfig defaults() {
    return new LoggingConfig(null);
  }
}
