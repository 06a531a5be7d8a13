package dev.starling.runtime.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;

/**
 * Reads a request body without holding a thread while it arrives: whatever has arrived is copied
 * into one array, and when the rest is missing the reader asks Jetty to call it again once more
 * comes ({@link Content.Source#demand}) and gives its thread back. A slow or stalled client so
 * holds memory, never one of the server's threads, and cannot keep other clients waiting for one. A
 * body that came with its headers is read on the calling thread, without a hand-off.
 *
 * <p>Ends exactly once, calling {@code done} on the thread that read the last of it: with the
 * bytes, or with a failure — a body that stopped arriving (the connection's idle timeout) or fell
 * below the minimum data rate is an {@link IOException} with a {@link
 * java.util.concurrent.TimeoutException} cause, a body without a declared length that grew past the
 * limit a 413, a client that broke off an {@link IOException}; {@link Bodies#readJson} turns them
 * into the answers a blocking read gives. A declared length is read into one array of that length,
 * allocated as {@link Bodies#readDeclared} does (at most {@link Bodies#EAGER_BYTES} before that
 * much arrived); a body that ends early comes back short.
 */
final class BodyReader implements Runnable {
  private static final int FIRST_CHUNKED_BYTES = 8192;

  private final Content.Source source;
  private final long declared;
  private final long maxBytes;
  private final MinDataRate rate;
  private final Consumer<BodyReader> done;
  private byte[] buf;
  private int size;
  private byte[] bytes;
  private Exception failure;
  private boolean finished;

  /**
   * {@code declared} is the Content-Length (-1 when chunked), at most {@code maxBytes} (a larger
   * one is refused before any reading).
   */
  BodyReader(
      Content.Source source,
      long declared,
      long maxBytes,
      long minBytesPerSecond,
      Consumer<BodyReader> done) {
    this.source = source;
    this.declared = declared;
    this.maxBytes = maxBytes;
    this.rate = new MinDataRate(minBytesPerSecond);
    this.done = done;
    this.buf =
        new byte
            [declared >= 0
                ? (int) Math.min(declared, Bodies.EAGER_BYTES)
                : (int) Math.min(FIRST_CHUNKED_BYTES, maxBytes + 1)];
  }

  /** Reads what has arrived on the calling thread; the rest as it comes. */
  void start() {
    run();
  }

  /** Jetty's demand callback: more of the body (or a failure) is there to read. */
  @Override
  public void run() {
    if (finished) {
      return; // a late wake-up: the read has ended and done was called
    }
    while (!finished) {
      Content.Chunk chunk;
      try {
        chunk = source.read();
      } catch (RuntimeException e) {
        finish(new IOException(e));
        break;
      }
      if (chunk == null) {
        source.demand(this);
        return;
      }
      try {
        take(chunk);
      } finally {
        chunk.release();
      }
    }
    done.accept(this); // the network buffer went back first: done runs the inference
  }

  /** The body read, in an array of its length; throws what the read failed with. */
  byte[] bytes() throws IOException {
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure != null) {
      throw (RuntimeException) failure;
    }
    return bytes;
  }

  /** Whether the read ended in a failure (the connection cannot carry another request). */
  boolean failed() {
    return failure != null;
  }

  private void take(Content.Chunk chunk) {
    if (Content.Chunk.isFailure(chunk)) {
      Throwable t = chunk.getFailure();
      finish(t instanceof IOException io ? io : new IOException(t));
      return;
    }
    ByteBuffer b = chunk.getByteBuffer();
    int n = b.remaining();
    if (n > 0) {
      long now = System.nanoTime();
      if (declared < 0 && size + (long) n > maxBytes) {
        finish(Bodies.tooLarge(maxBytes));
        return;
      }
      room(n);
      b.get(buf, size, n);
      size += n;
      rate.arrived(n, now);
      if (size == declared) {
        // All of it: the end-of-content marker, if not in this chunk, is left to whoever reads on.
        finish(null);
        return;
      }
      if (!chunk.isLast() && rate.behind(now)) {
        finish(rate.failure());
        return;
      }
    }
    if (chunk.isLast()) {
      finish(null);
    }
  }

  /** Makes room for {@code n} more bytes: the declared length, or doubling up to the limit. */
  private void room(int n) {
    if (size + n <= buf.length) {
      return;
    }
    long grown =
        declared >= 0 ? declared : Math.min(Math.max(2L * buf.length, size + (long) n), maxBytes);
    buf = Arrays.copyOf(buf, (int) Math.max(grown, size + (long) n));
  }

  private void finish(Exception f) {
    finished = true;
    failure = f;
    bytes = size == buf.length ? buf : Arrays.copyOf(buf, size);
    buf = null;
  }
}
