package dev.starling.runtime.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads {@code runtime.yaml} into a {@link RuntimeConfig}; every error names the field. */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static RuntimeConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  public static RuntimeConfig parse(String yaml, String sourceName) {
    RuntimeConfig config = YamlConfig.parse(yaml, RuntimeConfig.class, sourceName);
    return config == null ? new RuntimeConfig(null, null, null, null, null) : config;
  }
}
