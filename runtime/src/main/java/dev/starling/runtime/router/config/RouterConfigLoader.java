package dev.starling.runtime.router.config;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.YamlConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads {@code router.yaml} into a {@link RouterConfig}; every error names the field. Same rules as
 * {@code runtime.yaml}'s loader: unknown fields, nulls for numbers and duplicate keys are errors.
 */
public final class RouterConfigLoader {
  private RouterConfigLoader() {}

  public static RouterConfig load(Path file) {
    return parse(read(file), file.toString());
  }

  /** The file's bytes (the reloader compares them to see a change). */
  public static byte[] read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  public static RouterConfig parse(byte[] yaml, String sourceName) {
    return parse(new String(yaml, StandardCharsets.UTF_8), sourceName);
  }

  public static RouterConfig parse(String yaml, String sourceName) {
    RouterConfig config = YamlConfig.parse(yaml, RouterConfig.class, sourceName);
    return config == null ? RouterConfig.empty() : config;
  }
}
