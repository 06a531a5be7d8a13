package dev.starling.runtime.config;

/** Where a model file comes from and the digest it must have. */
public record SourceConfig(String uri, String sha256) {}
