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
 * into the answers a blocking read gives.
 *
 * <p>What a body holds follows what has arrived, never the client's word alone: nothing before its
 * first byte, then {@link #FIRST_BYTES} (or the first piece, if larger), doubling as more arrives.
 * A stalled connection that declared a large body and sent a few bytes so holds 16 KiB, not the
 * declared length: thousands of them cannot fill the heap. A declared length is capped at itself,
 * so the last array is exact; once the doubling would pass {@link Bodies#EAGER_BYTES} the declared
 * length is allocated once, so a large body costs its length plus under 2 x EAGER_BYTES of smaller
 * arrays, not the sum of a doubling up to its length. A body that ends early comes back short.
 */
final class BodyReader implements Runnable {
  /** The first array, once the first byte arrived. */
  static final int FIRST_BYTES = 16 * 1024;

  private static final byte[] NOTHING = new byte[0];

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
    this.buf = NOTHING; // nothing is held before the first byte arrives
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

  /**
   * Makes room for {@code n} more bytes: doubling from {@link #FIRST_BYTES}, capped at the declared
   * length (which is allocated at once when the doubling would pass {@link Bodies#EAGER_BYTES}) or,
   * without one, at the limit.
   */
  private void room(int n) {
    long need = size + (long) n;
    if (need <= buf.length) {
      return;
    }
    long grown = Math.max(need, Math.max(2L * buf.length, FIRST_BYTES));
    if (declared >= 0) {
      grown = grown > Bodies.EAGER_BYTES ? declared : Math.min(grown, declared);
    } else {
      grown = Math.min(grown, maxBytes);
    }
    buf = Arrays.copyOf(buf, (int) Math.max(grown, need));
  }

  private void finish(Exception f) {
    finished = true;
    failure = f;
    bytes = size == buf.length ? buf : Arrays.copyOf(buf, size);
    buf = null;
  }
}
