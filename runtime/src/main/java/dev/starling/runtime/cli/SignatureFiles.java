package dev.starling.runtime.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.SignatureConfig;
import java.io.IOException;
import java.nio.file.Path;

/** Reads a {@code *.signature.yaml} sidecar: the {@code signature:} block of a model, alone. */
final class SignatureFiles {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private SignatureFiles() {}

  static SignatureConfig load(Path file) {
    try {
      return YAML.readValue(file.toFile(), SignatureConfig.class);
    } catch (IOException e) {
      throw new ConfigException(file + ": " + e.getMessage(), e);
    }
  }
}
