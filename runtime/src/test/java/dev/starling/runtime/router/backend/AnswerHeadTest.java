package dev.starling.runtime.router.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which answer heads are passed on as their bytes, and what is kept of them. */
class AnswerHeadTest {
  private static AnswerHead parse(String head) {
    byte[] a = ("xx" + head.replace("|", "\r\n") + "yy").getBytes(StandardCharsets.ISO_8859_1);
    int end = HeadBytes.end(a, 2, 2, a.length - 2);
    assertThat(end).isEqualTo(a.length - 2);
    return AnswerHead.parse(a, 2, end);
  }

  private static String kept(AnswerHead h) {
    return new String(h.head, 0, h.headLength, StandardCharsets.ISO_8859_1).replace("\r\n", "|");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "HTTP/1.1 200 OK|Content-Length: 5||; HTTP/1.1 200 OK|Content-Length: 5|; 5; false",
        "HTTP/1.1 404 |content-length:0||; HTTP/1.1 404 |content-length:0|; 0; false",
        "HTTP/1.1 200|Content-Length: 5  ||; HTTP/1.1 200|Content-Length: 5  |; 5; false",
        "HTTP/1.1 503 Busy|Connection: close|Content-Length: 2||; HTTP/1.1 503 Busy|Content-Length: 2|; 2; true",
        "HTTP/1.1 200 OK|CONNECTION: Keep-Alive, Close|Content-Length: 2||; HTTP/1.1 200 OK|Content-Length: 2|; 2; true",
        "HTTP/1.1 200 OK|Connection: keep-alive|Keep-Alive: timeout=5|TE: x|Trailer: y|Upgrade: h2c|Proxy-Connection: a|X-Y: z|Content-Length: 1||; HTTP/1.1 200 OK|X-Y: z|Content-Length: 1|; 1; false",
        "HTTP/1.1 200 OK|X-Tab:\tv\t|Content-Length: 1||; HTTP/1.1 200 OK|X-Tab:\tv\t|Content-Length: 1|; 1; false",
        "HTTP/1.1 200 OK|X-Starling-Served-By: v1|Content-Length: 1||; HTTP/1.1 200 OK|Content-Length: 1|; 1; false",
      })
  void theUsualShapeIsKeptAsItCame(String head, String kept, long length, boolean close) {
    AnswerHead h = parse(head);
    assertThat(h).isNotNull();
    assertThat(kept(h)).isEqualTo(kept);
    assertThat(h.contentLength).isEqualTo(length);
    assertThat(h.close).isEqualTo(close);
    assertThat(h.statusLineEnd).isEqualTo(head.indexOf('|') + 2); // the line and its CRLF
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "HTTP/1.0 200 OK|Content-Length: 5||; HTTP/1.0",
        "HTTP/1.1 200 OK||; no Content-Length",
        "HTTP/1.1 200 OK|Content-Length: 5|Content-Length: 5||; two Content-Lengths",
        "HTTP/1.1 200 OK|Content-Length: +5||; a signed length",
        "HTTP/1.1 200 OK|Content-Length: 5, 5||; a list for a length",
        "HTTP/1.1 200 OK|Transfer-Encoding: chunked|Content-Length: 5||; chunked",
        "HTTP/1.1 100 Continue|Content-Length: 5||; 1xx",
        "HTTP/1.1 204 No Content|Content-Length: 5||; 204",
        "HTTP/1.1 304 Not Modified|Content-Length: 5||; 304",
        "HTTP/1.1 2000 OK|Content-Length: 5||; four digits",
        "HTTP/1.1 20x OK|Content-Length: 5||; not digits",
        "HTTP/1.1 200 OK|X-A: 1| folded|Content-Length: 5||; a folded line",
        "HTTP/1.1 200 OK|X-A : 1|Content-Length: 5||; a space before the colon",
        "HTTP/1.1 200 OK|no colon|Content-Length: 5||; a line without a colon",
        "HTTP/1.1 200 OK|: 1|Content-Length: 5||; an empty name",
        "HTTP/1.1 200 OK|X-A: a\u0001b|Content-Length: 5||; a control character",
        "HTTP/1.1 200 OK|X-A: caf\u00e9|Content-Length: 5||; a byte outside ASCII",
        "HTTP/1.1 200 O\rK|Content-Length: 5||; a lone CR in the status line",
        "HTTP/1.1 200 OK|X-A: a\rb|Content-Length: 5||; a lone CR in a value",
      })
  void anythingElseIsLeftToJettysParser(String head, String why) {
    assertThat(parse(head)).as(why).isNull();
  }
}
