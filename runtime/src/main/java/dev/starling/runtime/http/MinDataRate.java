package dev.starling.runtime.http;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * The minimum upload rate of a request body, {@code server.minRequestDataRate} bytes per second
 * once its first byte came, as Jetty's servlet layer demands of servlet reads (Jetty's core API
 * leaves it to the handler). Checked each time some of the body arrives; a body that stops arriving
 * altogether is cut off by the idle timeout instead. Example: at 1024 B/s, 0.5 s after the first
 * byte at least 512 bytes must have arrived.
 */
final class MinDataRate {
  private final long bytesPerSecond;
  private long firstByteNanos = -1;
  private long arrived;

  /** {@code bytesPerSecond} 0 or less: no minimum. */
  MinDataRate(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Counts {@code n} bytes that arrived at {@code nanos} ({@link System#nanoTime()}). */
  void arrived(int n, long nanos) {
    if (n > 0) {
      if (firstByteNanos < 0) {
        firstByteNanos = nanos;
      }
      arrived += n;
    }
  }

  /** Whether, at {@code nanos}, fewer bytes have arrived than the rate asks for. */
  boolean behind(long nanos) {
    if (bytesPerSecond <= 0 || firstByteNanos < 0) {
      return false;
    }
    long millis = (nanos - firstByteNanos) / 1_000_000;
    return arrived < bytesPerSecond * millis / 1000;
  }

  /** The failure a body that fell behind ends with ({@link Bodies} answers it with 408). */
  IOException failure() {
    return new IOException(
        new TimeoutException("request content data rate < " + bytesPerSecond + " B/s"));
  }
}
