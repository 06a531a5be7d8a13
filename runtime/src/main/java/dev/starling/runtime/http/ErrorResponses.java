package dev.starling.runtime.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.starling.runtime.pipeline.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: a status and {@code {"error": "..."}}, never a
 * stack trace. Unexpected exceptions are logged with their trace and answered with a plain 500.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
  private static final JsonFactory JSON = new JsonFactory();

  /** The message of every unexpected failure; the trace goes to the log only. */
  static final String INTERNAL = "internal error; see the server log";

  private ErrorResponses() {}

  public static void register(RoutesConfig routes) {
    routes.exception(
        ApiException.class,
        (e, ctx) -> {
          if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
          }
          if (e.challenge() != null) {
            ctx.header("WWW-Authenticate", e.challenge());
          }
          send(ctx, e.status(), e.getMessage());
        });
    routes.exception(
        HttpResponseException.class, (e, ctx) -> send(ctx, e.getStatus(), describe(e)));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          unexpected(String.valueOf(ctx.method()), ctx.path(), e);
          send(ctx, 500, INTERNAL);
        });
  }

  static void unexpected(String method, String path, Exception e) {
    LOG.error("unexpected failure on {} {}", method, path, e);
  }

  public static void send(Context ctx, int status, String message) {
    ctx.status(status).contentType("application/json").result(body(message));
  }

  public static byte[] body(String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + message.length());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static String describe(HttpResponseException e) {
    return switch (e.getStatus()) {
      case 404 -> "no such endpoint";
      case 405 -> "method not allowed on this endpoint";
      case 413 -> "request body too large";
      default -> e.getMessage() == null ? "request failed" : e.getMessage();
    };
  }
}
