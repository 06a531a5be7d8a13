package dev.starling.runtime.router.backend;

import dev.starling.runtime.http.StarlingApp;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * A backend's answer as the router passes it on: the status, the head as bytes and the body. The
 * head holds the status line as it came ({@link #statusLineLength()} bytes, none when the answer's
 * own line cannot be passed on, e.g. HTTP/1.0) followed by the header lines to pass on, each ending
 * in CRLF, without the hop-by-hop ones ({@link HopByHop}) and without the blank line. {@code
 * Content-Length} is among them only when {@link #lengthKept()}: then it is the body's length.
 */
public final class BackendAnswer {
  private final int status;
  private final byte[] head;
  private final int headLength;
  private final int statusLineLength;
  private final boolean lengthKept;
  private final byte[] body;

  private BackendAnswer(
      int status,
      byte[] head,
      int headLength,
      int statusLineLength,
      boolean lengthKept,
      byte[] body) {
    this.status = status;
    this.head = head;
    this.headLength = headLength;
    this.statusLineLength = statusLineLength;
    this.lengthKept = lengthKept;
    this.body = body;
  }

  /** An answer read the simple way: its own status line and header lines, bytes untouched. */
  static BackendAnswer of(AnswerHead h, byte[] body) {
    return new BackendAnswer(h.status, h.head, h.headLength, h.statusLineEnd, true, body);
  }

  /** An answer Jetty's parser read: its fields rendered as lines, no status line, no length. */
  static BackendAnswer of(int status, HttpFields fields, byte[] body) {
    StringBuilder sb = new StringBuilder(256);
    for (HttpField f : fields) {
      if (!HopByHop.is(f.getHeader()) && !f.is(StarlingApp.SERVED_BY)) {
        sb.append(f.getName()).append(": ").append(f.getValue()).append("\r\n");
      }
    }
    byte[] lines = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    return new BackendAnswer(status, lines, lines.length, 0, false, body);
  }

  /** An answer for tests and router-made exchanges: status, no headers, body. */
  public static BackendAnswer of(int status, byte[] body) {
    return new BackendAnswer(status, new byte[0], 0, 0, false, body);
  }

  public int status() {
    return status;
  }

  public byte[] body() {
    return body;
  }

  /** Status line (maybe none) and header lines, in {@code head()[0, headLength())}. */
  public byte[] head() {
    return head;
  }

  public int headLength() {
    return headLength;
  }

  /** Length of the status line at the start of {@link #head()}; 0 when there is none. */
  public int statusLineLength() {
    return statusLineLength;
  }

  /** The head carries the answer's {@code Content-Length}, which is the body's length. */
  public boolean lengthKept() {
    return lengthKept;
  }

  /** Each header line's name and value (without {@code Content-Length}), in order. */
  public void forEachField(BiConsumer<String, String> to) {
    int i = statusLineLength;
    while (i < headLength) {
      int colon = i;
      while (head[colon] != ':') {
        colon++;
      }
      int v = colon + 1;
      while (head[v] == ' ' || head[v] == '\t') {
        v++;
      }
      int eol = v;
      while (head[eol] != '\r') {
        eol++;
      }
      int ve = eol;
      while (ve > v && (head[ve - 1] == ' ' || head[ve - 1] == '\t')) {
        ve--;
      }
      if (!(colon - i == 14 && HeadBytes.equalsIgnoreCase(head, i, "content-length"))) {
        to.accept(
            new String(head, i, colon - i, StandardCharsets.ISO_8859_1),
            new String(head, v, ve - v, StandardCharsets.ISO_8859_1));
      }
      i = eol + 2;
    }
  }
}
