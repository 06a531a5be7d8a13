package dev.starling.runtime.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Small JSON answers (metadata, health) written with a generator. */
final class JsonBodies {
  private static final JsonFactory JSON = new JsonFactory();

  /** Writes one JSON value. */
  @FunctionalInterface
  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private JsonBodies() {}

  static byte[] of(Writer w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }
}
