package dev.starling.runtime.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeoutException;

/**
 * A request body that must keep arriving at {@code server.minRequestDataRate} bytes per second once
 * its first byte came, as Jetty's servlet layer demands of servlet reads (Jetty's core API leaves
 * it to the handler). A client that drips its body is cut off with a {@link TimeoutException}
 * cause, which {@link Bodies} answers with 408. Checked before each read: a read that then waits is
 * bounded by the idle timeout, and the next one fails if the rate fell behind. Example: at 1024
 * B/s, 0.5 s after the first byte at least 512 bytes must have arrived.
 */
final class MinRateInputStream extends FilterInputStream {
  private final long bytesPerSecond;
  private long firstByteNanos = -1;
  private long arrived;

  MinRateInputStream(InputStream in, long bytesPerSecond) {
    super(in);
    this.bytesPerSecond = bytesPerSecond;
  }

  @Override
  public int read() throws IOException {
    check();
    int b = super.read();
    count(b < 0 ? -1 : 1);
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    check();
    int n = super.read(buf, off, len);
    count(n);
    return n;
  }

  private void count(int n) {
    if (n > 0) {
      if (firstByteNanos < 0) {
        firstByteNanos = System.nanoTime();
      }
      arrived += n;
    }
  }

  private void check() throws IOException {
    if (bytesPerSecond <= 0 || firstByteNanos < 0) {
      return;
    }
    long millis = (System.nanoTime() - firstByteNanos) / 1_000_000;
    if (arrived < bytesPerSecond * millis / 1000) {
      throw new IOException(
          new TimeoutException("request content data rate < " + bytesPerSecond + " B/s"));
    }
  }
}
