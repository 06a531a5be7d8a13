package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.BackendExchange;
import dev.starling.runtime.router.backend.HopByHop;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * What the router sends on: method, path with query, the caller's headers and the body as bytes
 * (read once, sent as is to the live backend, a retry and the shadow alike). {@code headers} are
 * the server request's own fields, valid until its answer is written, which is after every send.
 */
record ForwardedRequest(String method, String pathAndQuery, HttpFields headers, byte[] body)
    implements Forwardable {

  @Override
  public BackendExchange to(
      Endpoint e,
      HttpField extra,
      long timeoutMillis,
      int maxResponseBytes,
      BackendExchange.Listener listener) {
    return new BackendExchange(
        head(e, extra), body, "HEAD".equals(method), timeoutMillis, maxResponseBytes, listener);
  }

  /**
   * Request line and headers: the caller's without the hop-by-hop ones, the endpoint's Host, and
   * the body's length.
   */
  ByteBuffer head(Endpoint e, HttpField extra) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append(' ').append(e.basePath()).append(pathAndQuery).append(" HTTP/1.1\r\n");
    line(sb, e.hostField());
    for (HttpField f : headers) {
      HttpHeader h = f.getHeader();
      if (h != HttpHeader.HOST && !HopByHop.is(h)) {
        line(sb, f);
      }
    }
    if (extra != null) {
      line(sb, extra);
    }
    if (body != null) {
      sb.append("Content-Length: ").append(body.length).append("\r\n");
    } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
      sb.append("Content-Length: 0\r\n");
    }
    sb.append("\r\n");
    return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void line(StringBuilder sb, HttpField f) {
    sb.append(f.getName()).append(": ").append(f.getValue()).append("\r\n");
  }
}
