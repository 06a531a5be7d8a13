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
}
