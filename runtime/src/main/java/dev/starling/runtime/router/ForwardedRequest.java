package dev.starling.runtime.router;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * What the router sends on: method, path with query, the caller's headers and the body as bytes
 * (read once, sent as is to the live backend, a retry and the shadow alike). {@code headers} are
 * the server request's own fields, valid until its answer is written, which is after every send.
 */
record ForwardedRequest(String method, String pathAndQuery, HttpFields headers, byte[] body) {

  /** A request to {@code e} for this, with the total time it may take. */
  Request to(HttpClient client, Endpoint e, long timeoutMillis) {
    Request r =
        client
            .newRequest(e.host(), e.port())
            .scheme(e.scheme())
            .method(method)
            .path(e.basePath() + pathAndQuery)
            .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .headers(h -> copyEndToEnd(e, h));
    if (body != null) {
      r.body(new BytesRequestContent(headers.get(HttpHeader.CONTENT_TYPE), body));
    }
    return r;
  }

  /**
   * The caller's headers without the hop-by-hop ones, and the endpoint's Host (set here because
   * Jetty's client otherwise builds a java.net.URI per request to find it).
   */
  private void copyEndToEnd(Endpoint e, HttpFields.Mutable out) {
    out.put(e.hostField());
    for (HttpField f : headers) {
      HttpHeader h = f.getHeader();
      if (h != HttpHeader.HOST && !hopByHop(h)) {
        out.add(f);
      }
    }
  }

  /** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), and framing. */
  static boolean hopByHop(HttpHeader h) {
    if (h == null) {
      return false;
    }
    return switch (h) {
      case CONNECTION,
          KEEP_ALIVE,
          PROXY_CONNECTION,
          PROXY_AUTHORIZATION,
          TE,
          TRAILER,
          TRANSFER_ENCODING,
          UPGRADE,
          CONTENT_LENGTH,
          EXPECT ->
          true;
      default -> false;
    };
  }
}
