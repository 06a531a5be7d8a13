package dev.starling.runtime.config;

/** One model this process serves. */
public record ModelConfig(
    String name,
    String version,
    SourceConfig source,
    SignatureConfig signature,
    Boolean warmup,
    BatchingConfig batching,
    CacheConfig cache) {

  public ModelConfig {
    version = version == null ? "1" : version;
    warmup = warmup == null ? Boolean.TRUE : warmup;
    batching = batching == null ? BatchingConfig.DEFAULT : batching;
    cache = cache == null ? CacheConfig.off() : cache;
  }

  public ModelConfig(
      String name, String version, SourceConfig source, SignatureConfig signature, Boolean warmup) {
    this(name, version, source, signature, warmup, null, null);
  }

  public ModelConfig withBatching(BatchingConfig b) {
    return new ModelConfig(name, version, source, signature, warmup, b, cache);
  }

  public ModelConfig withCache(CacheConfig c) {
    return new ModelConfig(name, version, source, signature, warmup, batching, c);
  }
}
