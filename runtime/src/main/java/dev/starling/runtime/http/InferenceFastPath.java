package dev.starling.runtime.http;

import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.security.AccessControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.MDC;

/**
 * The inference routes answered on Jetty's core API, in front of Javalin's servlet: an iris request
 * spends most of its server time in the HTTP framework, and this skips the servlet layer, Javalin's
 * per-request regex routing and context, and the copy of the answer through a result stream. It
 * takes only {@code POST} on a plainly spelled {@link InferRoute}; everything else — other methods,
 * other spellings, every other endpoint — goes on to Javalin unchanged. Large answers are gzipped
 * by Javalin's rule ({@link #gzip}).
 *
 * <p>What it does is what Javalin's route does: access control (the same {@link AccessControl}, on
 * the same route pattern), then {@link InferenceService}, and the answer written with the same
 * status, headers and body ({@link V2Routes#send}). One difference: it reads the body without
 * holding a thread while the body arrives ({@link BodyReader}), where Javalin's route reads it with
 * a blocking servlet stream — so stalled uploads on the plain spellings cannot take every server
 * thread and leave other clients waiting for one until their connections idle out.
 */
final class InferenceFastPath extends Handler.Wrapper {
  /** Javalin's default {@code minSizeForCompression}. */
  private static final int MIN_COMPRESSED_BYTES = 1500;

  /**
   * The largest unread body read and dropped after an early answer rather than closing the
   * connection: a 1 MiB upload costs less than a new connection and spares a client still sending
   * it a reset socket (which may lose it the answer too).
   */
  static final long MAX_DISCARDED_BYTES = 1024 * 1024;

  /** Headers most answers carry, encoded once (a shed 503 carries both). */
  private static final HttpField JSON =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

  private static final HttpField RETRY_AFTER_1 =
      new PreEncodedHttpField(HttpHeader.RETRY_AFTER, "1");

  private final InferenceService inference;
  private final AccessControl access;
  private final HttpField servedBy;

  /**
   * {@code servedBy}: the version a runtime serving one model names on every answer (null: none),
   * so a caller reaching the version's pods without a router still learns which one answered.
   */
  InferenceFastPath(InferenceService inference, AccessControl access, String servedBy) {
    this.inference = inference;
    this.access = access;
    this.servedBy =
        servedBy == null ? null : new PreEncodedHttpField(StarlingApp.SERVED_BY, servedBy);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (servedBy != null) {
      response.getHeaders().put(servedBy); // before Javalin too: every answer carries it
    }
    InferRoute route =
        HttpMethod.POST.is(request.getMethod())
            ? InferRoute.match(request.getHttpURI().getPath())
            : null;
    if (route == null) {
      return super.handle(request, response, callback);
    }
    MDC.remove("apiKeyId");
    try {
      start(route, request, response, callback);
    } finally {
      MDC.remove("apiKeyId");
    }
    return true;
  }

  /**
   * Admission (access control, then the model's: unknown, not ready, shed when the model is at its
   * in-flight bound, and a body refused on its headers: 415, 413) is decided before any of the body
   * is read, so a refusal is answered at once. An admitted request's body is read by a {@link
   * BodyReader} without holding a thread while it arrives, and without an in-flight place: that is
   * taken once the body is in (a 503 then if the model filled up meanwhile). The inference then
   * runs on the thread that read its last bytes — this one when the body came with the headers.
   */
  private void start(InferRoute route, Request request, Response response, Callback callback) {
    String keyId;
    HttpFields h = request.getHeaders();
    try {
      keyId =
          access.admit(
              route.pattern(),
              h.get(HttpHeader.AUTHORIZATION),
              h.get("x-api-key"),
              Request.getRemoteAddr(request),
              route.model());
    } catch (ApiException e) {
      respond(request, response, callback, Answer.error(e, false), false);
      return;
    } catch (RuntimeException e) {
      ErrorResponses.unexpected("POST", request.getHttpURI().getPath(), e);
      respond(request, response, callback, Answer.internalError(false), false);
      return;
    }
    String path = request.getHttpURI().getPath();
    JettyBody body = new JettyBody(request);
    InferenceService.Admission admission =
        route.v1()
            ? inference.admitV1(route.model(), body, path)
            : inference.admitV2(route.model(), route.version(), body, path);
    long maxBytes = inference.maxBodyBytes();
    if (!admission.admitted() || Bodies.refusal(body, maxBytes) != null) {
      respond(request, response, callback, admission.run(), false);
      return;
    }
    long minRate = request.getConnectionMetaData().getHttpConfiguration().getMinRequestDataRate();
    new BodyReader(
            request,
            body.contentLength(),
            maxBytes,
            minRate,
            reader -> {
              body.readBy(reader);
              if (keyId != null) {
                MDC.put("apiKeyId", keyId);
              }
              try {
                respond(request, response, callback, admission.run(), reader.failed());
              } catch (RuntimeException e) {
                callback.failed(e);
              } finally {
                MDC.remove("apiKeyId");
              }
            })
        .start();
  }

  /**
   * Writes {@code a}. {@code readFailed}: the body's read failed (too slow, broken off), so the
   * connection is closed after the answer.
   */
  private static void respond(
      Request request, Response response, Callback callback, Answer a, boolean readFailed) {
    byte[] gzipped = gzip(request.getHeaders(), a.body());
    if (!a.close() && !readFailed && a.status() >= 400 && discardable(a, request)) {
      // Refused before (or while) its body was read: a 503 shed at a full gate, 401, 429, 400...
      // The answer goes out now and the connection stays open, the rest of the body being read
      // and dropped afterwards without holding a thread. (Request.consumeAvailable() is not
      // asked first: when the body has not all arrived it marks the connection for closing.)
      // Closing instead made every shed request cost its client a new connection; under
      // overload those reconnects overflowed the listen queue (SYNs dropped, retried after 1 s)
      // and reset sockets still sending, so shed requests took seconds, not milliseconds.
      write(
          response,
          a,
          false,
          gzipped,
          Callback.from(() -> Content.Source.consumeAll(request, callback), callback::failed));
    } else {
      // A body left unread here is skipped if it has arrived; if not, the connection cannot
      // carry another request, and the answer must say so before it is sent, as the servlet
      // layer does, or a keep-alive client sends its next request into a closing socket.
      boolean close = a.close() || readFailed || !request.consumeAvailable();
      write(response, a, close, gzipped, callback);
    }
  }

  /**
   * Whether the unread rest of a request body is worth reading and dropping so that the connection
   * can carry the next request: a declared length up to {@link #MAX_DISCARDED_BYTES}, no {@code
   * Expect: 100-continue} (that client has not sent the body and need not), and not an answer about
   * the body itself (413 over the limit, 408 too slow).
   */
  static boolean discardable(Answer a, Request request) {
    HttpFields h = request.getHeaders();
    long length = h.getLongField(HttpHeader.CONTENT_LENGTH);
    return a.status() != 408
        && a.status() != 413
        && length >= 0
        && length <= MAX_DISCARDED_BYTES
        && !h.contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
  }

  /**
   * Javalin's compression rule, kept so that a client sees the same answer either way: gzip (level
   * 6, Javalin's default; its only compressor here, brotli and zstd libraries being absent) when
   * the answer is at least 1500 bytes and one of the comma-separated {@code Accept-Encoding} tokens
   * is {@code gzip} (any case; a token with parameters such as {@code gzip;q=0.5} does not count).
   * Answers the gzipped bytes, or null to send {@code body} as it is.
   */
  static byte[] gzip(HttpFields h, byte[] body) {
    String accept = h.get(HttpHeader.ACCEPT_ENCODING);
    if (accept == null || body.length < MIN_COMPRESSED_BYTES || !hasGzipToken(accept)) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static boolean hasGzipToken(String accept) {
    for (String token : accept.split(",")) {
      if (token.strip().equalsIgnoreCase("gzip")) {
        return true;
      }
    }
    return false;
  }

  private static void write(
      Response response, Answer a, boolean close, byte[] gzipped, Callback callback) {
    response.setStatus(a.status());
    HttpFields.Mutable h = response.getHeaders();
    h.put(JSON);
    if (a.retryAfterSeconds() == 1) {
      h.put(RETRY_AFTER_1);
    } else if (a.retryAfterSeconds() > 0) {
      h.put(HttpHeader.RETRY_AFTER, a.retryAfterSeconds());
    }
    if (a.challenge() != null) {
      h.put(HttpHeader.WWW_AUTHENTICATE, a.challenge());
    }
    if (close) {
      h.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
    }
    byte[] bytes = a.body();
    if (gzipped != null) {
      h.put(HttpHeader.CONTENT_ENCODING, "gzip");
      bytes = gzipped;
    }
    h.put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }
}
