package dev.starling.runtime.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.starling.runtime.config.SignatureConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository's bundled sample models and their example files. */
public final class Samples {
  private Samples() {}

  public static Path repoRoot() {
    String prop = System.getProperty("starling.repoRoot");
    Path p = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("samples/models"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root (samples/models)");
    }
    return p;
  }

  public static Path model(String name) {
    return repoRoot().resolve("samples/models/" + name + ".onnx");
  }

  public static String file(String name) {
    try {
      return Files.readString(repoRoot().resolve("samples/models/" + name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SignatureConfig signature(String name) {
    Path p = repoRoot().resolve("samples/models/" + name + ".signature.yaml");
    if (!Files.isRegularFile(p)) {
      return null;
    }
    try {
      return new ObjectMapper(new YAMLFactory()).readValue(p.toFile(), SignatureConfig.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
