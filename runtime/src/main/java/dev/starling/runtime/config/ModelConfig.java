package dev.starling.runtime.config;

/** One model this process serves. */
public record ModelConfig(
    String name, String version, SourceConfig source, SignatureConfig signature, Boolean warmup) {

  public ModelConfig {
    version = version == null ? "1" : version;
    warmup = warmup == null ? Boolean.TRUE : warmup;
  }
}
