package dev.starling.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's sample models and requests: {@code -Dstarling.samples=DIR}, or found upwards.
 */
final class Samples {
  private Samples() {}

  static Path dir() {
    String prop = System.getProperty("starling.samples");
    if (prop != null) {
      return Path.of(prop);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("samples/models"))) {
        return p.resolve("samples/models");
      }
    }
    throw new IllegalStateException(
        "cannot find samples/models above "
            + Path.of("").toAbsolutePath()
            + "; set -Dstarling.samples");
  }

  static Path model(String name) {
    return dir().resolve(name + ".onnx");
  }

  /** {@code <name>.request.json}: an OIP v2 infer body, batch 1. */
  static byte[] request(String name) {
    try {
      return Files.readAllBytes(dir().resolve(name + ".request.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
