package dev.starling.runtime.router.backend;

import org.eclipse.jetty.http.HttpHeader;

/**
 * Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), and the framing
 * ones: the router never passes them on as they came, in either direction.
 */
public final class HopByHop {
  /** Lower case, the same set as {@link #is(HttpHeader)}. */
  private static final String[] NAMES = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "expect"
  };

  private HopByHop() {}

  /** For a parsed field ({@code null}: a header Jetty does not know, never hop-by-hop). */
  public static boolean is(HttpHeader h) {
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

  /** For the header name in {@code a[at, at + length)}, as it came. */
  public static boolean is(byte[] a, int at, int length) {
    for (String n : NAMES) {
      if (n.length() == length && HeadBytes.equalsIgnoreCase(a, at, n)) {
        return true;
      }
    }
    return false;
  }
}
