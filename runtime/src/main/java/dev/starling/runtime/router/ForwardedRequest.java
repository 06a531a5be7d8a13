package dev.starling.runtime.router;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * What the router sends on: method, path with query, the caller's end-to-end headers and the body
 * as bytes (read once, sent as is to the live backend, a retry and the shadow alike).
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
            .headers(h -> h.add(headers));
    if (body != null) {
      r.body(new BytesRequestContent(headers.get(HttpHeader.CONTENT_TYPE), body));
    }
    return r;
  }

  /** The caller's headers without the hop-by-hop ones (and Host, which the client sets). */
  static HttpFields endToEnd(HttpFields in) {
    HttpFields.Mutable out = HttpFields.build(in.size());
    for (HttpField f : in) {
      if (!hopByHop(f.getHeader()) && f.getHeader() != HttpHeader.HOST) {
        out.add(f);
      }
    }
    return out;
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
