package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading a request body of a declared length: the bytes, once, and short bodies stay short. */
class BodiesTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 8191, Bodies.EAGER_BYTES, Bodies.EAGER_BYTES + 1, 5_000_000})
  void aDeclaredBodyIsReadWhole(int length) throws IOException {
    byte[] sent = random(length);
    assertThat(Bodies.readDeclared(dribble(sent), length)).isEqualTo(sent);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 100, Bodies.EAGER_BYTES, Bodies.EAGER_BYTES + 7})
  void aBodyThatEndsEarlyComesBackShort(int sentLength) throws IOException {
    byte[] sent = random(sentLength);
    int declared = sentLength + Bodies.EAGER_BYTES;
    assertThat(Bodies.readDeclared(dribble(sent), declared)).isEqualTo(sent);
  }

  /**
   * A 24 MiB body costs about 24 MiB of heap, not twice that: {@code readNBytes(n)} gathered it in
   * chunks and copied them into the result (about 48 MiB allocated here). The JVM counts the bytes
   * this thread allocates.
   */
  @Test
  void aLargeBodyIsHeldOnceNotTwice() throws IOException {
    int length = 24 << 20;
    byte[] sent = random(length);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    Bodies.readDeclared(dribble(sent), length); // warm-up: classes, JIT
    long before = threads.getThreadAllocatedBytes(self);
    byte[] read = Bodies.readDeclared(dribble(sent), length);
    long allocated = threads.getThreadAllocatedBytes(self) - before;
    assertThat(read).isEqualTo(sent);
    assertThat(allocated).isLessThan(length + Bodies.EAGER_BYTES + (2 << 20));

    // the measurement tells the two apart: what the old readNBytes(n) allocates for the same body
    before = threads.getThreadAllocatedBytes(self);
    dribble(sent).readNBytes(length);
    assertThat(threads.getThreadAllocatedBytes(self) - before)
        .isGreaterThan(2L * length - (1 << 20));
  }

  private static byte[] random(int length) {
    byte[] b = new byte[length];
    new Random(length).nextBytes(b);
    return b;
  }

  /** The bytes in reads of at most 64 KiB, as a socket gives them. */
  private static InputStream dribble(byte[] bytes) {
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 65536));
      }
    };
  }
}
