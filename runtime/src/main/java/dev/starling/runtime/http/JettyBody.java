package dev.starling.runtime.http;

import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * A request body on Jetty's core API, for {@link InferenceService}: the fast path reads it with a
 * {@link BodyReader} before the inference runs, and hands the reader over here.
 */
final class JettyBody implements RequestBody {
  private final Request request;
  private BodyReader reader;

  JettyBody(Request request) {
    this.request = request;
  }

  /** The reader that read this body (it has ended). */
  void readBy(BodyReader done) {
    this.reader = done;
  }

  @Override
  public String contentType() {
    return request.getHeaders().get(HttpHeader.CONTENT_TYPE);
  }

  @Override
  public long contentLength() {
    return request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
  }

  @Override
  public long arrivedNanos() {
    return request.getBeginNanoTime();
  }

  @Override
  public byte[] readAhead() throws IOException {
    if (reader == null) {
      // Only a request refused before its body (415, 413, shed) gets here, and they do not read.
      throw new IllegalStateException("the fast path reads a body before the inference runs");
    }
    return reader.bytes();
  }

  @Override
  public InputStream stream() {
    throw new IllegalStateException("the fast path reads a body before the inference runs");
  }
}
