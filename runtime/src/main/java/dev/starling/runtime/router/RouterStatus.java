package dev.starling.runtime.router;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /router/status}: the table in use: config generation, each version's configured and
 * effective weight and its endpoints' readiness (a name's endpoints with the address each stands
 * for), whether the table is in panic mode, and the pin, sticky and mirror settings.
 */
final class RouterStatus {
  private static final JsonFactory JSON = new JsonFactory();

  private RouterStatus() {}

  static byte[] json(RoutingTable t) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("generation", t.generation());
      g.writeBooleanField("serving", t.serving());
      g.writeBooleanField("panic", t.panic());
      g.writeArrayFieldStart("versions");
      for (VersionRoute v : t.versions()) {
        g.writeStartObject();
        g.writeStringField("name", v.name());
        g.writeNumberField("weight", v.weight());
        g.writeNumberField("effectiveWeight", t.effectiveWeight(v));
        g.writeArrayFieldStart("endpoints");
        for (Endpoint e : v.endpoints()) {
          g.writeStartObject();
          g.writeStringField("url", e.url());
          if (e.resolved()) {
            g.writeStringField("address", e.host());
          }
          g.writeBooleanField("ready", e.ready());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("pinHeader", t.config().pinHeader());
      g.writeStringField(
          "stickyHeader", t.config().sticky() == null ? null : t.config().sticky().header());
      if (t.mirror() != null) {
        g.writeObjectFieldStart("mirror");
        g.writeStringField("version", t.mirror().name());
        g.writeNumberField("percent", t.config().mirror().percent());
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
