package dev.starling.runtime.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a bound configuration before anything starts; collects every problem, each naming its
 * field.
 */
public final class ConfigValidator {
  /** Model names appear in URLs and metric labels, so they stay plain. */
  public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private ConfigValidator() {}

  public static RuntimeConfig validate(RuntimeConfig c) {
    List<String> errors = new ArrayList<>();
    ServerConfig s = c.server();
    if (s.port() < 0 || s.port() > 65535) {
      errors.add("server.port: " + s.port() + " is not a port (0..65535)");
    }
    if (s.maxRequestBytes() < 1024) {
      errors.add("server.maxRequestBytes: must be at least 1024, got " + s.maxRequestBytes());
    }
    if (s.maxThreads() < 4) {
      errors.add("server.maxThreads: must be at least 4, got " + s.maxThreads());
    }
    if (s.shutdownGracePeriod().isNegative()) {
      errors.add("server.shutdownGracePeriod: must not be negative");
    }
    if (s.idleTimeout().toMillis() < 100) {
      errors.add("server.idleTimeout: must be at least 100ms, got " + s.idleTimeout());
    }
    if (s.minRequestDataRate() < 0) {
      errors.add("server.minRequestDataRate: must not be negative (0 = off)");
    }
    if (s.maxConnections() < 1) {
      errors.add("server.maxConnections: must be at least 1, got " + s.maxConnections());
    }
    if (s.drainDelay().isNegative()) {
      errors.add("server.drainDelay: must not be negative");
    }
    LimitsConfig l = c.limits();
    positive(errors, "limits.maxJsonDepth", l.maxJsonDepth());
    positive(errors, "limits.maxStringLength", l.maxStringLength());
    positive(errors, "limits.maxNumberLength", l.maxNumberLength());
    positive(errors, "limits.maxElementsPerRequest", l.maxElementsPerRequest());
    positive(errors, "inference.intraOpThreads", c.inference().intraOpThreads());
    positive(errors, "inference.maxConcurrent", c.inference().maxConcurrent());
    positive(errors, "inference.maxInflight", c.inference().maxInflight());
    int nice = c.inference().niceness();
    if (nice < 0 || nice > 19) {
      errors.add("inference.niceness: must be 0 (off) to 19, got " + nice);
    }
    String limit = c.inference().inflightLimit();
    if (!limit.equals(InferenceConfig.FIXED) && !limit.equals(InferenceConfig.ADAPTIVE)) {
      errors.add("inference.inflightLimit: must be fixed or adaptive, got '" + limit + "'");
    }
    String format = c.logging().format();
    if (!format.equals("json") && !format.equals("text")) {
      errors.add("logging.format: must be json or text, got '" + format + "'");
    }
    if (c.models().isEmpty()) {
      errors.add("models: at least one model is required (--model PATH or models: in the config)");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < c.models().size(); i++) {
      validateModel(errors, "models[" + i + "]", c.models().get(i), names);
    }
    validateSecurityAndDrift(errors, c);
    if (!errors.isEmpty()) {
      throw new ConfigException("invalid configuration:\n  " + String.join("\n  ", errors));
    }
    return c;
  }

  private static void validateModel(
      List<String> errors, String at, ModelConfig m, Set<String> names) {
    if (m.name() == null || !MODEL_NAME.matcher(m.name()).matches()) {
      errors.add(at + ".name: '" + m.name() + "' must match " + MODEL_NAME.pattern());
    } else if (!names.add(m.name())) {
      errors.add(at + ".name: '" + m.name() + "' is used by another model");
    }
    if (!VERSION.matcher(m.version()).matches()) {
      errors.add(at + ".version: '" + m.version() + "' must match " + VERSION.pattern());
    }
    if (m.source() == null || m.source().uri() == null || m.source().uri().isBlank()) {
      errors.add(at + ".source.uri: required");
    } else if (m.source().uri().startsWith("http://")) {
      errors.add(
          at + ".source.uri: plain http is not allowed, use https:// (" + m.source().uri() + ")");
    }
    if (m.source() != null
        && m.source().sha256() != null
        && !SHA256.matcher(m.source().sha256()).matches()) {
      errors.add(at + ".source.sha256: must be 64 hex characters");
    }
    if (m.signature() != null) {
      validateSignature(errors, at + ".signature", m.signature());
    }
    if (m.batching().maxBatchSize() < 1 || m.batching().maxBatchSize() > 4096) {
      errors.add(
          at + ".batching.maxBatchSize: must be 1..4096, got " + m.batching().maxBatchSize());
    }
    if (m.batching().maxDelay().isNegative() || m.batching().maxDelay().toMillis() > 1000) {
      errors.add(at + ".batching.maxDelay: must be 0..1s, got " + m.batching().maxDelay());
    }
    if (m.cache().maxEntries() < 0) {
      errors.add(at + ".cache.maxEntries: must not be negative");
    }
    if (m.cache().ttl().isNegative() || m.cache().ttl().isZero()) {
      errors.add(at + ".cache.ttl: must be positive");
    }
  }

  private static void validateSignature(List<String> errors, String at, SignatureConfig s) {
    Set<String> featureNames = new HashSet<>();
    for (int i = 0; i < s.features().size(); i++) {
      FeatureConfig f = s.features().get(i);
      String fat = at + ".features[" + i + "]";
      if (f.name() == null || f.name().isBlank()) {
        errors.add(fat + ".name: required");
      } else if (!featureNames.add(f.name())) {
        errors.add(fat + ".name: '" + f.name() + "' appears twice");
      } else if (f.name().equals("instances")) {
        errors.add(fat + ".name: 'instances' is reserved by the KServe V1 protocol");
      }
      if (f.type() == FeatureConfig.FeatureType.CATEGORY && f.values().isEmpty()) {
        errors.add(fat + ".values: a category feature needs its list of values");
      }
      if (f.min() != null && f.max() != null && f.min() > f.max()) {
        errors.add(fat + ": min " + f.min() + " is above max " + f.max());
      }
    }
    if (s.topK() != null && s.topK() < 1) {
      errors.add(at + ".topK: must be at least 1");
    }
  }

  private static void validateSecurityAndDrift(List<String> errors, RuntimeConfig c) {
    AuthConfig a = c.auth();
    if (a.apiKeysFile() != null && a.apiKeysFile().isBlank()) {
      errors.add("auth.apiKeysFile: must not be blank");
    }
    if (a.reloadInterval().toMillis() < 100) {
      errors.add("auth.reloadInterval: must be at least 100ms, got " + a.reloadInterval());
    }
    RateLimitConfig r = c.rateLimit();
    if (r.enabled() && !(r.requestsPerSecond() > 0 && r.requestsPerSecond() <= 1e9)) {
      errors.add(
          "rateLimit.requestsPerSecond: must be above 0 (and at most 1e9), got "
              + r.requestsPerSecond());
    }
    positive(errors, "rateLimit.burst", r.burst());
    positive(errors, "rateLimit.maxClients", r.maxClients());
    DriftConfig d = c.drift();
    if (d.reference() != null && d.reference().isBlank()) {
      errors.add("drift.reference: must not be blank");
    }
    if (d.window() < 10 || d.window() > 1_000_000) {
      errors.add("drift.window: must be 10..1000000 rows, got " + d.window());
    }
    if (d.model() != null && c.models().stream().noneMatch(m -> d.model().equals(m.name()))) {
      errors.add("drift.model: '" + d.model() + "' is not one of the served models");
    } else if (d.enabled() && d.model() == null && c.models().size() > 1) {
      errors.add("drift.model: name the model the reference profile describes (several served)");
    }
    FeedbackConfig f = d.feedback();
    positive(errors, "drift.feedback.maxEntries", f.maxEntries());
    positive(errors, "drift.feedback.window", f.window());
    if (f.ttl().isNegative() || f.ttl().isZero()) {
      errors.add("drift.feedback.ttl: must be positive, got " + f.ttl());
    }
  }

  private static void positive(List<String> errors, String field, Number value) {
    if (value.longValue() < 1) {
      errors.add(field + ": must be at least 1, got " + value);
    }
  }
}
