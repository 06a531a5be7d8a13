package dev.starling.runtime.cli;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.SignatureConfig;
import dev.starling.runtime.config.YamlConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a {@code *.signature.yaml} sidecar: the {@code signature:} block of a model, alone, with
 * the same strict rules and field-naming errors as {@code runtime.yaml}.
 */
final class SignatureFiles {
  private SignatureFiles() {}

  static SignatureConfig load(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read signature file " + file + ": " + e.getMessage(), e);
    }
    SignatureConfig config = YamlConfig.parse(yaml, SignatureConfig.class, file.toString());
    if (config == null) {
      throw new ConfigException(file + ": empty signature file");
    }
    return config;
  }
}
