package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.runtime.pipeline.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.Test;

/**
 * Reading a request body without holding a thread: the bytes, once, whichever way they arrive; the
 * read's failures become the answers a blocking read gives (408, 413, 400).
 */
class BodyReaderTest {
  private static final long LIMIT = 4L << 20;

  /** The common case: the body came with the headers; no demand, no other thread. */
  @Test
  void aBodyThatArrivedIsReadOnTheCallingThreadWithoutDemand() throws IOException {
    byte[] sent = random(3000);
    TestingSource source = new TestingSource();
    source.arrive(sent, 0, 1000, false);
    source.arrive(sent, 1000, 2000, false);
    Ends ends = new Ends();
    new BodyReader(source, sent.length, LIMIT, 1024, ends::done).start();
    assertThat(ends.count).isEqualTo(1);
    assertThat(ends.thread).isSameAs(Thread.currentThread());
    assertThat(source.demands).isZero();
    assertThat(ends.reader.bytes()).isEqualTo(sent);
  }

  /**
   * A body in pieces: each time nothing is there the reader demands and returns; the piece that
   * completes it ends the read. Read into an array of the declared length, past the eager part.
   */
  @Test
  void aBodyInPiecesIsReadAsItArrives() throws IOException {
    byte[] sent = random(Bodies.EAGER_BYTES + 70_000);
    TestingSource source = new TestingSource();
    Ends ends = new Ends();
    new BodyReader(source, sent.length, LIMIT, 0, ends::done).start();
    int pieces = 0;
    for (int at = 0; at < sent.length; at += 65_536) {
      assertThat(ends.count).isZero();
      assertThat(source.pending).as("the reader waits for more").isNotNull();
      source.arriveAndWake(sent, at, Math.min(65_536, sent.length - at), false);
      pieces++;
    }
    assertThat(ends.count).isEqualTo(1);
    assertThat(source.demands).isEqualTo(pieces);
    assertThat(ends.reader.bytes()).isEqualTo(sent);
  }

  /**
   * A 24 MiB body costs about 24 MiB of heap: the doubling arrays up to {@link Bodies#EAGER_BYTES}
   * (64 KiB + ... + 1 MiB, under 2 x EAGER_BYTES), then one array of the declared length; doubling
   * all the way to 24 MiB (or gathering chunk lists and copying out) would allocate about twice the
   * length. The bound: length + 2 x EAGER_BYTES + 2 MiB. The pieces are made before the count
   * starts; the JVM counts the bytes this thread allocates.
   */
  @Test
  void aLargeBodyIsHeldOnceNotTwice() throws IOException {
    int length = 24 << 20;
    byte[] sent = random(length);
    readInPieces(sent); // warm-up: classes, JIT
    TestingSource source = new TestingSource();
    for (int at = 0; at < length; at += 65_536) {
      source.arrive(sent, at, Math.min(65_536, length - at), false);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    Ends ends = new Ends();
    new BodyReader(source, length, LIMIT << 3, 0, ends::done).start();
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(ends.reader.bytes()).isEqualTo(sent);
    assertThat(allocated).isLessThan(length + 2L * Bodies.EAGER_BYTES + (2 << 20));
  }

  /**
   * The memory a body holds follows what arrived, not what the client declared: 2,000 stalled
   * uploads that declare 1 MB and send 11 bytes hold a 16 KiB array each (about 31 MiB together),
   * where allocating the declared length (or 1 MiB of it) at the headers held about 2 GB - enough
   * connections exhaust the runtime's heap without sending anything. Each must still be waiting for
   * more (a demand pending). The sources are made before the count starts; the JVM counts what this
   * thread allocates, under 2,000 x 32 KiB.
   */
  @Test
  void stalledBodiesHoldWhatArrivedNotWhatTheyDeclared() {
    int connections = 2000;
    int declared = 1_000_000;
    TestingSource[] sources = new TestingSource[connections];
    for (int i = 0; i < connections; i++) {
      sources[i] = new TestingSource();
      sources[i].arrive("{\"inputs\":[".getBytes(), false);
    }
    new BodyReader(new TestingSource(), declared, LIMIT, 0, r -> {}).start(); // warm-up
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    BodyReader[] readers = new BodyReader[connections];
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < connections; i++) {
      readers[i] = new BodyReader(sources[i], declared, LIMIT, 0, r -> {});
      readers[i].start();
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    for (TestingSource source : sources) {
      assertThat(source.pending).as("the reader waits for more").isNotNull();
    }
    assertThat(readers).doesNotContainNull();
    assertThat(allocated).isLessThan(connections * 32L * 1024);
  }

  /** Nothing arrived, nothing held: the array comes with the first byte. */
  @Test
  void aBodyGrowsFromItsFirstBytesToExactlyItsLength() throws IOException {
    byte[] sent = random(300_000);
    TestingSource source = new TestingSource();
    Ends ends = new Ends();
    new BodyReader(source, sent.length, LIMIT, 0, ends::done).start();
    for (int at = 0; at < sent.length; at += 1000) {
      source.arriveAndWake(sent, at, Math.min(1000, sent.length - at), false);
    }
    assertThat(ends.count).isEqualTo(1);
    assertThat(ends.reader.bytes()).isEqualTo(sent);
  }

  private static void readInPieces(byte[] sent) throws IOException {
    TestingSource source = new TestingSource();
    for (int at = 0; at < sent.length; at += 65_536) {
      source.arrive(sent, at, Math.min(65_536, sent.length - at), false);
    }
    Ends ends = new Ends();
    new BodyReader(source, sent.length, LIMIT << 3, 0, ends::done).start();
    assertThat(ends.reader.bytes()).hasSize(sent.length);
  }

  @Test
  void aChunkedBodyIsReadWholeAndOverTheLimitIs413() throws IOException {
    byte[] sent = random(50_000);
    TestingSource source = new TestingSource();
    for (int at = 0; at < sent.length; at += 7_000) {
      source.arrive(sent, at, Math.min(7_000, sent.length - at), false);
    }
    source.chunks.add(Content.Chunk.EOF);
    Ends ends = new Ends();
    new BodyReader(source, -1, LIMIT, 0, ends::done).start();
    assertThat(ends.reader.bytes()).isEqualTo(sent);

    TestingSource big = new TestingSource();
    for (int at = 0; at < sent.length; at += 7_000) {
      big.arrive(sent, at, Math.min(7_000, sent.length - at), false);
    }
    Ends over = new Ends();
    new BodyReader(big, -1, 20_000, 0, over::done).start();
    assertThat(over.count).isEqualTo(1);
    assertThatThrownBy(() -> Bodies.readJson(body(over.reader, -1), 20_000))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessage("request body exceeds the limit of 20000 bytes");
  }

  /** A stalled body is woken by the connection's idle timeout: a failure chunk, answered 408. */
  @Test
  void aBodyCutOffByTheIdleTimeoutIs408() {
    TestingSource source = new TestingSource();
    Ends ends = new Ends();
    new BodyReader(source, 1000, LIMIT, 1024, ends::done).start();
    source.arriveAndWake("{\"inputs\":[".getBytes(), false);
    source.chunks.add(Content.Chunk.from(new TimeoutException("Idle timeout expired"), false));
    source.wake();
    assertThat(ends.count).isEqualTo(1);
    assertThat(ends.reader.failed()).isTrue();
    assertThatThrownBy(() -> Bodies.readJson(body(ends.reader, 1000), LIMIT))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(408))
        .hasMessage("request body did not arrive in time; the connection is closed");
  }

  /**
   * 1024 B/s asked: 5 bytes, then 5 more at least 100 ms later (where 102 were due) ends the read.
   * The sleep only makes the rate lower, so a slow machine cannot make this pass or fail.
   */
  @Test
  void aBodyBelowTheMinimumRateIs408() throws Exception {
    TestingSource source = new TestingSource();
    Ends ends = new Ends();
    new BodyReader(source, 1000, LIMIT, 1024, ends::done).start();
    source.arriveAndWake("{\"inp".getBytes(), false);
    assertThat(ends.count).isZero();
    Thread.sleep(100);
    source.arriveAndWake("uts\":".getBytes(), false);
    assertThat(ends.count).isEqualTo(1);
    assertThatThrownBy(() -> Bodies.readJson(body(ends.reader, 1000), LIMIT))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(408));
  }

  @Test
  void aBodyThatEndsEarlyComesBackShortAndIs400() throws IOException {
    TestingSource source = new TestingSource();
    source.arrive("{\"inputs\":[]}".getBytes(), true);
    Ends ends = new Ends();
    new BodyReader(source, 100, LIMIT, 0, ends::done).start();
    assertThat(ends.reader.bytes()).hasSize(13);
    assertThatThrownBy(() -> Bodies.readJson(body(ends.reader, 100), LIMIT))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessage("request body ended before its Content-Length");
  }

  @Test
  void aClientThatBrokeOffIs400() {
    TestingSource source = new TestingSource();
    source.chunks.add(Content.Chunk.from(new org.eclipse.jetty.io.EofException("reset"), true));
    Ends ends = new Ends();
    new BodyReader(source, 100, LIMIT, 0, ends::done).start();
    assertThatThrownBy(() -> Bodies.readJson(body(ends.reader, 100), LIMIT))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessage("request body could not be read (the client broke off)");
  }

  private static RequestBody body(BodyReader reader, long length) {
    return new RequestBody() {
      @Override
      public String contentType() {
        return "application/json";
      }

      @Override
      public long contentLength() {
        return length;
      }

      @Override
      public byte[] readAhead() throws IOException {
        return reader.bytes();
      }

      @Override
      public InputStream stream() {
        throw new AssertionError("read ahead");
      }
    };
  }

  private static byte[] random(int length) {
    byte[] b = new byte[length];
    new Random(length).nextBytes(b);
    return b;
  }

  /** How a read ended: how often, on which thread. */
  private static final class Ends {
    int count;
    Thread thread;
    BodyReader reader;

    void done(BodyReader r) {
      count++;
      thread = Thread.currentThread();
      reader = r;
    }
  }

  /** Content that arrives when the test says; a demand is kept until the test wakes it. */
  private static final class TestingSource implements Content.Source {
    final Deque<Content.Chunk> chunks = new ArrayDeque<>();
    Runnable pending;
    int demands;

    void arrive(byte[] b, boolean last) {
      arrive(b, 0, b.length, last);
    }

    void arrive(byte[] b, int from, int length, boolean last) {
      chunks.add(
          Content.Chunk.from(ByteBuffer.wrap(Arrays.copyOfRange(b, from, from + length)), last));
    }

    void arriveAndWake(byte[] b, boolean last) {
      arrive(b, last);
      wake();
    }

    void arriveAndWake(byte[] b, int from, int length, boolean last) {
      arrive(b, from, length, last);
      wake();
    }

    void wake() {
      Runnable r = pending;
      pending = null;
      r.run();
    }

    @Override
    public Content.Chunk read() {
      return chunks.poll();
    }

    @Override
    public void demand(Runnable demandCallback) {
      assertThat(pending).as("one demand at a time").isNull();
      demands++;
      pending = demandCallback;
    }

    @Override
    public void fail(Throwable failure) {
      throw new AssertionError("the reader does not fail its source", failure);
    }
  }
}
