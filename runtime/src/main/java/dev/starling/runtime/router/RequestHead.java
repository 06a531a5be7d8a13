package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.BackendExchange;
import dev.starling.runtime.router.backend.HeadBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;

/**
 * The head of a request on the lean proxy path ({@link ProxyConnection}), parsed from the bytes as
 * they arrived only as far as the router needs: method, target, Content-Length, {@code Connection:
 * close}, the pin and sticky headers' values. Every other header line is kept as bytes and sent on
 * as it came. {@link #parse} says no (null) to anything it does not fully understand, and Jetty's
 * own HTTP/1.1 server then takes the connection: other methods, HTTP/1.0, paths that are not
 * proxied or not plainly written ({@code %}, {@code /.}, {@code //}), chunked bodies, {@code
 * Expect}, {@code Upgrade}, folded or malformed lines, a missing or repeated Host or
 * Content-Length, and pin or sticky values outside ASCII.
 */
final class RequestHead {
  /** Jetty's default {@code requestHeaderSize}: a longer head goes to Jetty, which answers 431. */
  static final int MAX_BYTES = 8192;

  private static final byte[] HTTP11 = " HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] CONTENT_LENGTH =
      "Content-Length: ".getBytes(StandardCharsets.ISO_8859_1);

  final String method;
  final long contentLength;
  final boolean close;
  final String pin;
  final String sticky;
  private final byte[] target;
  private final byte[] kept;

  private RequestHead(
      String method,
      byte[] target,
      byte[] kept,
      long contentLength,
      boolean close,
      String pin,
      String sticky) {
    this.method = method;
    this.target = target;
    this.kept = kept;
    this.contentLength = contentLength;
    this.close = close;
    this.pin = pin;
    this.sticky = sticky;
  }

  /**
   * The head in {@code a[from, end)} ({@code end} from {@link HeadBytes#end}), or null if the lean
   * path does not take it. {@code pinHeader} and {@code stickyHeader} are the configured names or
   * null.
   */
  static RequestHead parse(byte[] a, int from, int end, String pinHeader, String stickyHeader) {
    int i = from;
    String method;
    if (HeadBytes.startsWith(a, i, end, "POST ")) {
      method = "POST";
      i += 5;
    } else if (HeadBytes.startsWith(a, i, end, "GET ")) {
      method = "GET";
      i += 4;
    } else {
      return null;
    }
    int targetStart = i;
    int pathEnd = -1;
    for (; i < end && a[i] != ' '; i++) {
      byte b = a[i];
      if (b < 0x21 || b > 0x7e || b == '%' || b == '\\' || b == '#') {
        return null;
      }
      if (b == '?' && pathEnd < 0) {
        pathEnd = i;
      }
    }
    int targetEnd = i;
    if (!proxied(a, targetStart, pathEnd < 0 ? targetEnd : pathEnd)) {
      return null;
    }
    if (!startsWith(a, i, end, HTTP11)) {
      return null;
    }
    i += HTTP11.length;
    byte[] kept = new byte[end - i];
    int keptLength = 0;
    long length = -1;
    boolean host = false;
    boolean close = false;
    String pin = null;
    String sticky = null;
    HeadBytes.Line l = new HeadBytes.Line();
    while (a[i] != '\r') {
      if (!l.read(a, i)) {
        return null;
      }
      i = l.next;
      boolean keep = true;
      switch (l.nameLength) {
        case 4 -> {
          if (named(a, l.start, "host")) {
            if (host) {
              return null;
            }
            host = true;
            keep = false;
          }
        }
        case 14 -> {
          if (named(a, l.start, "content-length")) {
            if (length >= 0) {
              return null;
            }
            length = HeadBytes.digits(a, l.valueStart, l.valueEnd);
            if (length < 0) {
              return null;
            }
            keep = false;
          }
        }
        case 10 -> {
          if (named(a, l.start, "connection")) {
            int c = HeadBytes.connection(a, l.valueStart, l.valueEnd);
            if (c < 0) {
              return null;
            }
            close |= c == 1;
            keep = false;
          } else if (named(a, l.start, "keep-alive")) {
            keep = false;
          }
        }
        case 17 -> {
          if (named(a, l.start, "transfer-encoding")) {
            return null;
          }
        }
        case 6 -> {
          if (named(a, l.start, "expect")) {
            return null;
          }
        }
        case 7 -> {
          if (named(a, l.start, "upgrade") || named(a, l.start, "trailer")) {
            return null;
          }
        }
        case 2 -> keep = !named(a, l.start, "te");
        case 16 -> keep = !named(a, l.start, "proxy-connection");
        case 19 -> keep = !named(a, l.start, "proxy-authorization");
        default -> {}
      }
      if (pinHeader != null && pin == null && l.named(a, pinHeader)) {
        pin = ascii(a, l.valueStart, l.valueEnd);
        if (pin == null) {
          return null;
        }
      }
      if (stickyHeader != null && sticky == null && l.named(a, stickyHeader)) {
        sticky = ascii(a, l.valueStart, l.valueEnd);
        if (sticky == null) {
          return null;
        }
      }
      if (keep) {
        System.arraycopy(a, l.start, kept, keptLength, i - l.start);
        keptLength += i - l.start;
      }
    }
    if (!host) {
      return null;
    }
    byte[] target = java.util.Arrays.copyOfRange(a, targetStart, targetEnd);
    byte[] keptLines = java.util.Arrays.copyOf(kept, keptLength);
    return new RequestHead(method, target, keptLines, Math.max(length, 0), close, pin, sticky);
  }

  /** This head with its body ({@code null} when empty), ready to send. */
  Forwardable withBody(byte[] body) {
    return (e, extra, timeoutMillis, maxResponseBytes, listener) ->
        new BackendExchange(
            render(e, extra, body), body, false, timeoutMillis, maxResponseBytes, listener);
  }

  /**
   * Request line and headers for {@code e}: the endpoint's base path before the target, its Host,
   * the kept lines as they came, {@code extra}, and the body's length (as on the handler path).
   */
  ByteBuffer render(Endpoint e, HttpField extra, byte[] body) {
    String base = e.basePath();
    String hostValue = e.hostField().getValue();
    String length =
        body != null ? Integer.toString(body.length) : "GET".equals(method) ? null : "0";
    int size =
        method.length()
            + 1
            + base.length()
            + target.length
            + HTTP11.length
            + 8
            + hostValue.length()
            + kept.length
            + (extra == null ? 0 : extra.getName().length() + extra.getValue().length() + 4)
            + (length == null ? 0 : CONTENT_LENGTH.length + length.length() + 2)
            + 2;
    byte[] out = new byte[size];
    int n = HeadBytes.put(out, 0, method);
    out[n++] = ' ';
    n = HeadBytes.put(out, n, base);
    System.arraycopy(target, 0, out, n, target.length);
    n += target.length;
    System.arraycopy(HTTP11, 0, out, n, HTTP11.length);
    n += HTTP11.length;
    n = HeadBytes.line(out, n, "Host", hostValue);
    System.arraycopy(kept, 0, out, n, kept.length);
    n += kept.length;
    if (extra != null) {
      n = HeadBytes.line(out, n, extra.getName(), extra.getValue());
    }
    if (length != null) {
      System.arraycopy(CONTENT_LENGTH, 0, out, n, CONTENT_LENGTH.length);
      n = HeadBytes.put(out, n + CONTENT_LENGTH.length, length);
      out[n++] = '\r';
      out[n++] = '\n';
    }
    out[n++] = '\r';
    out[n++] = '\n';
    return ByteBuffer.wrap(out, 0, n);
  }

  /** {@code /v2}, {@code /v2/...} except {@code /v2/health/...}, or {@code /v1/...}, plainly. */
  private static boolean proxied(byte[] a, int from, int to) {
    boolean v2 = HeadBytes.startsWith(a, from, to, "/v2") && (to == from + 3 || a[from + 3] == '/');
    boolean v1 = HeadBytes.startsWith(a, from, to, "/v1/");
    if (!(v2 || v1) || HeadBytes.startsWith(a, from, to, "/v2/health/")) {
      return false;
    }
    for (int i = from; i + 1 < to; i++) {
      if (a[i] == '/' && (a[i + 1] == '.' || a[i + 1] == '/')) {
        return false;
      }
    }
    return true;
  }

  private static String ascii(byte[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      if (a[i] < 0x20 || a[i] > 0x7e) {
        return null;
      }
    }
    return new String(a, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private static boolean named(byte[] a, int at, String lowerName) {
    return HeadBytes.equalsIgnoreCase(a, at, lowerName);
  }

  private static boolean startsWith(byte[] a, int at, int to, byte[] s) {
    if (to - at < s.length) {
      return false;
    }
    for (int k = 0; k < s.length; k++) {
      if (a[at + k] != s[k]) {
        return false;
      }
    }
    return true;
  }
}
