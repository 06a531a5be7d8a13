package dev.starling.runtime.router.backend;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * One keep-alive HTTP/1.1 connection to a backend, carrying one exchange at a time: the request is
 * written in one gathered write. The answer's head is read straight from the bytes when it has the
 * usual shape ({@link AnswerHead}: HTTP/1.1, one Content-Length, nothing odd), and then passed on
 * as those bytes; any other answer (chunked, delimited by the end of the connection, HTTP/1.0, a
 * HEAD request's, 1xx/204/304, odd lines) is read by Jetty's own {@link HttpParser} from the same
 * bytes. Between exchanges it stays read-interested, so a backend closing it is noticed at once and
 * it leaves the pool. While an exchange is on it, the endpoint's idle timeout is the exchange's
 * timeout; when it fires the exchange fails with {@link FailureKind#TIMEOUT} and the connection is
 * closed. (Idle time in the pool is bounded by the pool instead, so the timer is not rescheduled
 * twice per exchange.) Reads are handled on the selector thread itself (nothing here or in the
 * listeners blocks), so an answer reaches the caller without a hand-off to another thread.
 */
final class BackendConnection extends AbstractConnection.NonBlocking
    implements HttpParser.ResponseHandler {
  private static final int MAX_HEADER_BYTES = 16 * 1024;

  /**
   * How this exchange's answer is read: head not all here yet; body after a simple head; parser.
   */
  private static final int HEAD = 0;

  private static final int BODY = 1;
  private static final int PARSER = 2;

  private final BackendPool pool;
  private final HttpParser parser = new HttpParser(this, MAX_HEADER_BYTES);
  private final ByteBuffer input = BufferUtil.allocate(32 * 1024);
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile BackendExchange exchange;
  private volatile boolean reuse;
  private volatile long idleSince;
  private boolean readInterestKept;
  private int mode;
  private int scanned;
  private AnswerHead answerHead;
  private int status;
  private boolean close;
  private HttpFields.Mutable headers;
  private byte[] content;
  private int length;
  private FailureKind failed;

  BackendConnection(EndPoint endPoint, Executor executor, BackendPool pool) {
    super(endPoint, executor);
    this.pool = pool;
  }

  /** Starts {@code x} on this connection (which the caller took from the pool or just opened). */
  void send(BackendExchange x) {
    mode = HEAD;
    scanned = 0;
    answerHead = null;
    status = 0;
    close = false;
    headers = null;
    content = null;
    length = 0;
    failed = null;
    parser.setHeadResponse(x.headRequest);
    timeout(x.timeoutMillis);
    outstanding.set(2); // the request written and the answer read, in either order
    exchange = x; // volatile: publishes the reset state to the thread that reads the answer
    ByteBuffer body = x.body == null ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(x.body);
    getEndPoint().write(Callback.from(this::oneDone, this::writeFailed), x.head.slice(), body);
    if (!readInterestKept) {
      readInterestKept = true; // from now on registered on every return to the pool
      fillInterested();
    }
  }

  /**
   * The request is written, or the answer read. Only when both are done may the connection go back
   * to the pool: a fast backend can answer before the writing thread has even returned from its
   * write, and the next request must not find that write still in progress.
   */
  private void oneDone() {
    if (outstanding.decrementAndGet() == 0 && reuse && isOpen()) {
      idleSince = System.nanoTime();
      fillInterested(); // notices a backend closing the idle connection
      pool.release(this);
    }
  }

  /**
   * Restarts the idle clock, then sets its limit (a no-op when unchanged, which is the rule: a
   * changed limit reschedules a timer). In that order: a connection idle for 2 s that is given a 1
   * s limit would otherwise expire on the spot.
   */
  private void timeout(long millis) {
    if (getEndPoint() instanceof IdleTimeout t) {
      t.notIdle();
    }
    if (getEndPoint().getIdleTimeout() != millis) {
      getEndPoint().setIdleTimeout(millis);
    }
  }

  /** How long this connection has been back in the pool. */
  long idleNanos() {
    return System.nanoTime() - idleSince;
  }

  @Override
  public void onFillable() {
    try {
      while (true) {
        int n = getEndPoint().fill(input);
        if (n > 0) {
          if (parse()) {
            return;
          }
        } else if (n == 0) {
          fillInterested();
          return;
        } else {
          endOfInput();
          return;
        }
      }
    } catch (Throwable t) {
      fail(FailureKind.BROKEN, t);
      close();
    }
  }

  /** Reads what arrived; true once this read is finished with (answered, failed or closed). */
  private boolean parse() {
    BackendExchange x = exchange;
    if (x == null) {
      close(); // bytes nobody asked for: the connection cannot be trusted
      return true;
    }
    if (mode == HEAD) {
      int r = readHead(x);
      if (r != READ_ON) {
        return r == FINISHED;
      }
    }
    return mode == BODY ? readBody(x) : runParser(x);
  }

  private static final int WAIT = 0;
  private static final int READ_ON = 1;
  private static final int FINISHED = 2;

  /**
   * Takes the answer's head if it has all arrived: the simple shape goes on to {@link #BODY}, any
   * other to {@link #PARSER} with nothing consumed; then {@link #READ_ON}. {@link #WAIT} while more
   * must come; {@link #FINISHED} if it failed (a body over the limit).
   */
  private int readHead(BackendExchange x) {
    byte[] a = input.array();
    int from = input.arrayOffset() + input.position();
    int to = input.arrayOffset() + input.limit();
    int end = HeadBytes.end(a, from, from + scanned, to);
    if (end == -1 && to - from < MAX_HEADER_BYTES) {
      scanned = to - from;
      return WAIT;
    }
    AnswerHead h = end < 0 || x.headRequest ? null : AnswerHead.parse(a, from, end);
    if (h == null) {
      mode = PARSER; // Jetty's parser reads it from the start (and refuses an oversized head)
      headers = HttpFields.build(16);
      return READ_ON;
    }
    if (h.contentLength > x.maxResponseBytes) {
      fail(
          FailureKind.TOO_LARGE,
          new IllegalStateException("a body of " + h.contentLength + " bytes is over the limit"));
      close();
      return FINISHED;
    }
    input.position(input.position() + (end - from));
    answerHead = h;
    content = new byte[(int) h.contentLength];
    length = 0;
    mode = BODY;
    return READ_ON;
  }

  /** Copies what arrived of a simple answer's body; true once it is all here and answered. */
  private boolean readBody(BackendExchange x) {
    int n = Math.min(input.remaining(), content.length - length);
    input.get(content, length, n);
    length += n;
    if (length < content.length) {
      return false;
    }
    close = answerHead.close;
    complete(x, input.hasRemaining(), BackendAnswer.of(answerHead, content));
    return true;
  }

  private boolean runParser(BackendExchange x) {
    while (input.hasRemaining()) {
      boolean complete = parser.parseNext(input);
      if (failed != null) {
        fail(failed, new IllegalStateException("answer failed: " + failed));
        close();
        return true;
      }
      if (complete) {
        completeParsed(x, input.hasRemaining());
        return true;
      }
    }
    return false;
  }

  private void endOfInput() {
    BackendExchange x = exchange;
    if (x == null) {
      close(); // the backend closed an idle connection
      return;
    }
    if (mode == PARSER) {
      parser.atEOF();
      if (parser.parseNext(BufferUtil.EMPTY_BUFFER) && failed == null) {
        completeParsed(x, true); // an answer delimited by the end of the connection
        return;
      }
    }
    // a head or a Content-Length body cut short
    fail(FailureKind.BROKEN, new EOFException("the backend closed the connection"));
    close();
  }

  private void completeParsed(BackendExchange x, boolean mustClose) {
    byte[] body =
        content == null
            ? new byte[0]
            : content.length == length ? content : Arrays.copyOf(content, length);
    BackendAnswer answer = BackendAnswer.of(status, headers, body);
    parser.reset();
    complete(x, mustClose, answer);
  }

  private void complete(BackendExchange x, boolean mustClose, BackendAnswer answer) {
    reuse = !close && !mustClose;
    exchange = null;
    if (!reuse) {
      close();
    }
    oneDone(); // back to the pool first (if written), so the caller's next request can reuse it
    x.answer(answer);
  }

  private void fail(FailureKind kind, Throwable cause) {
    BackendExchange x = exchange;
    if (x != null) {
      exchange = null;
      x.fail(kind, cause);
    }
  }

  private void writeFailed(Throwable t) {
    fail(FailureKind.BROKEN, t);
    close();
  }

  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    fail(FailureKind.TIMEOUT, timeout);
    return true; // close: a late answer must not be read as the next exchange's
  }

  @Override
  public void onClose(Throwable cause) {
    super.onClose(cause);
    fail(FailureKind.BROKEN, cause != null ? cause : new EOFException("connection closed"));
    pool.closed(this);
  }

  boolean isOpen() {
    return getEndPoint().isOpen();
  }

  // ---- HttpParser.ResponseHandler: called by parseNext on this thread

  @Override
  public void startResponse(HttpVersion version, int code, String reason) {
    status = code;
    close = version != HttpVersion.HTTP_1_1;
  }

  @Override
  public void parsedHeader(HttpField field) {
    if (field.getHeader() == HttpHeader.CONNECTION) {
      if (field.contains(HttpHeaderValue.CLOSE.asString())) {
        close = true;
      } else if (field.contains(HttpHeaderValue.KEEP_ALIVE.asString())) {
        close = false;
      }
    }
    headers.add(field);
  }

  @Override
  public boolean headerComplete() {
    return false;
  }

  @Override
  public boolean content(ByteBuffer chunk) {
    int n = chunk.remaining();
    BackendExchange x = exchange;
    if (x != null && (long) length + n > x.maxResponseBytes) {
      failed = FailureKind.TOO_LARGE;
      chunk.position(chunk.limit());
      return true;
    }
    if (content == null) {
      content = new byte[Math.max(n, (int) Math.min(parser.getContentLength(), 1 << 20))];
    } else if (length + n > content.length) {
      content = Arrays.copyOf(content, Math.max(length + n, content.length * 2));
    }
    chunk.get(content, length, n);
    length += n;
    return false;
  }

  @Override
  public boolean contentComplete() {
    return false;
  }

  @Override
  public boolean messageComplete() {
    return true;
  }

  @Override
  public void earlyEOF() {
    // reported through parseNext's result in endOfInput
  }

  @Override
  public void badMessage(HttpException failure) {
    failed = FailureKind.BROKEN;
  }
}
