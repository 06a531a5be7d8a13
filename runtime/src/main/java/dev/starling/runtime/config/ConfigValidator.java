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

  private static void positive(List<String> errors, String field, Number value) {
    if (value.longValue() < 1) {
      errors.add(field + ": must be at least 1, got " + value);
    }
  }
}
