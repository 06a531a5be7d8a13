package dev.starling.runtime.router.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The byte-level helpers both heads are read with. */
class HeadBytesTest {
  @Test
  void tokenCharactersAreExactlyRfc9110s() {
    String token = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int b = -128; b < 128; b++) {
      assertThat(HeadBytes.tchar((byte) b))
          .as("byte %d", b)
          .isEqualTo(b > 0 && token.indexOf(b) >= 0);
    }
  }

  @Test
  void aTokenIsFoundInACommaSeparatedListWhateverItsCase() {
    byte[] a = "keep-alive, Close ,x".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(HeadBytes.hasToken(a, 0, a.length, "close")).isTrue();
    assertThat(HeadBytes.hasToken(a, 0, a.length, "keep-alive")).isTrue();
    assertThat(HeadBytes.hasToken(a, 0, a.length, "clos")).isFalse();
    assertThat(HeadBytes.hasToken(a, 0, 10, "close")).isFalse();
  }

  @Test
  void connectionSaysCloseKeepAliveOrSomethingElse() {
    assertThat(connection("close")).isEqualTo(1);
    assertThat(connection("keep-alive")).isZero();
    assertThat(connection("Keep-Alive, CLOSE")).isEqualTo(1);
    assertThat(connection(" , ")).isZero();
    assertThat(connection("")).isZero();
    assertThat(connection("close, upgrade")).isEqualTo(-1);
    assertThat(connection("closed")).isEqualTo(-1);
  }

  @Test
  void aHeaderLineIsReadInPlaceWithItsValueTrimmed() {
    byte[] a = bytes("GET / HTTP/1.1\r\nX-Name:\t a b \t\r\nEmpty:\r\n\r\n");
    HeadBytes.Line l = new HeadBytes.Line();
    assertThat(l.read(a, 16)).isTrue();
    assertThat(text(a, l.start, l.start + l.nameLength)).isEqualTo("X-Name");
    assertThat(text(a, l.valueStart, l.valueEnd)).isEqualTo("a b");
    assertThat(l.named(a, "x-name")).isTrue();
    assertThat(l.named(a, "x-nam")).isFalse();
    assertThat(l.read(a, l.next)).isTrue();
    assertThat(text(a, l.start, l.start + l.nameLength)).isEqualTo("Empty");
    assertThat(l.valueEnd).isEqualTo(l.valueStart);
    assertThat(a[l.next]).isEqualTo((byte) '\r'); // the blank line
  }

  @Test
  void aHeaderLineOfAnyOtherShapeIsRefused() {
    for (String line :
        new String[] {
          " Folded: v",
          "Name : v",
          "Name v",
          ": v",
          "Name: a\rb",
          "Name: a\u0001b",
          "Name: caf\u00e9",
          "Na/me: v",
          "Name: a\u007fb"
        }) {
      byte[] a = bytes(line + "\r\n\r\n");
      assertThat(new HeadBytes.Line().read(a, 0)).as(line).isFalse();
    }
  }

  private static int connection(String value) {
    byte[] a = bytes(value);
    return HeadBytes.connection(a, 0, a.length);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String text(byte[] a, int from, int to) {
    return new String(a, from, to - from, StandardCharsets.ISO_8859_1);
  }
}
