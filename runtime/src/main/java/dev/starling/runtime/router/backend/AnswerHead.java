package dev.starling.runtime.router.backend;

import dev.starling.runtime.http.StarlingApp;

/**
 * The head of a backend's answer read straight from its bytes, for the shape a Starling runtime
 * answers with: an {@code HTTP/1.1} status line, a status that has a body (not 1xx, 204 or 304),
 * exactly one plain {@code Content-Length}, no {@code Transfer-Encoding}, CRLF line ends and
 * nothing folded or odd. The status line and the header lines are kept as bytes, in order, minus
 * the hop-by-hop ones ({@link HopByHop}) except {@code Content-Length}, which stays as it came (the
 * body passed on is exactly that long). {@link #parse} gives null for anything else, and the
 * connection reads that answer with Jetty's {@code HttpParser} instead.
 */
final class AnswerHead {
  private static final String STATUS_PREFIX = "HTTP/1.1 ";

  final int status;
  final byte[] head;
  final int headLength;
  final int statusLineEnd;
  final long contentLength;
  final boolean close;

  private AnswerHead(
      int status,
      byte[] head,
      int headLength,
      int statusLineEnd,
      long contentLength,
      boolean close) {
    this.status = status;
    this.head = head;
    this.headLength = headLength;
    this.statusLineEnd = statusLineEnd;
    this.contentLength = contentLength;
    this.close = close;
  }

  /**
   * The head in {@code a[from, end)} ({@code end} from {@link HeadBytes#end}, just after the blank
   * line), or null when it is not of the simple shape.
   */
  static AnswerHead parse(byte[] a, int from, int end) {
    // "HTTP/1.1 200 OK\r\n": a three-digit status, then a space and a reason (maybe empty) or CRLF
    if (!HeadBytes.startsWith(a, from, end, STATUS_PREFIX) || end - from < 14) {
      return null;
    }
    int i = from + STATUS_PREFIX.length();
    int status = 0;
    for (int k = 0; k < 3; k++, i++) {
      if (a[i] < '0' || a[i] > '9') {
        return null;
      }
      status = status * 10 + (a[i] - '0');
    }
    if (status < 200 || status == 204 || status == 304 || (a[i] != ' ' && a[i] != '\r')) {
      return null;
    }
    for (; a[i] != '\r'; i++) {
      if (HeadBytes.ctl(a[i])) {
        return null;
      }
    }
    if (a[i + 1] != '\n') {
      return null;
    }
    i += 2;
    int statusLineEnd = i - from;
    byte[] head = new byte[end - 2 - from]; // everything but the blank line, at most
    System.arraycopy(a, from, head, 0, statusLineEnd);
    int n = statusLineEnd;
    long length = -1;
    boolean close = false;
    HeadBytes.Line l = new HeadBytes.Line();
    while (a[i] != '\r') {
      if (!l.read(a, i)) {
        return null;
      }
      i = l.next;
      boolean keep = true;
      if (l.named(a, "content-length")) {
        if (length >= 0) {
          return null;
        }
        length = HeadBytes.digits(a, l.valueStart, l.valueEnd);
        if (length < 0) {
          return null;
        }
      } else if (l.named(a, "transfer-encoding")) {
        return null;
      } else if (l.named(a, "connection")) {
        close |= HeadBytes.hasToken(a, l.valueStart, l.valueEnd, "close");
        keep = false;
      } else if (HopByHop.is(a, l.start, l.nameLength) || l.named(a, StarlingApp.SERVED_BY)) {
        // a backend naming itself (a runtime serving one model does): the router names it once
        keep = false;
      }
      if (keep) {
        System.arraycopy(a, l.start, head, n, i - l.start);
        n += i - l.start;
      }
    }
    if (length < 0) {
      return null;
    }
    return new AnswerHead(status, head, n, statusLineEnd, length, close);
  }
}
