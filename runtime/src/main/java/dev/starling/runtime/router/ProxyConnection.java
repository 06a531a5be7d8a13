package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.BackendAnswer;
import dev.starling.runtime.router.backend.HeadBytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lean proxy path: a caller's HTTP/1.1 connection on which the router reads only the request
 * head ({@link RequestHead}), sends head and body on to the chosen backend, and writes the answer
 * back with its own status line and headers, all on the selector thread (nothing here blocks) and
 * without Jetty's request, response and handler machinery. One request at a time: the next one
 * (pipelined or not) is read after the answer to this one is written. The first request the lean
 * path does not take, it hands the connection with every byte not yet consumed to Jetty's own
 * HTTP/1.1 connection ({@code fallback}), which serves it from then on through {@link
 * RouterHandler}. A caller that goes quiet in the middle of a request, or never reads its answer,
 * is closed at the connector's idle timeout; while the backend works, the backend's request timeout
 * applies instead.
 */
final class ProxyConnection extends AbstractConnection.NonBlocking
    implements Connection.UpgradeFrom, ProxyExchange.Reply {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyConnection.class);

  /**
   * Reading; a request handed over and not answered yet; answered before the handing over ended.
   */
  private static final int READING = 0;

  private static final int DISPATCHING = 1;
  private static final int WAITING = 2;
  private static final int ANSWERED = 3;

  private final Connector connector;
  private final ConnectionFactory fallback;
  private final ProxyContext ctx;
  private final AtomicInteger phase = new AtomicInteger(READING);
  private final AtomicInteger runs = new AtomicInteger();
  private final Callback readable =
      Callback.from(
          Invocable.InvocationType.NON_BLOCKING, this::onFillable, this::onFillInterestedFailed);
  private final Callback written =
      Callback.from(Invocable.InvocationType.NON_BLOCKING, this::written, this::writeFailed);
  private ByteBuffer in = BufferUtil.allocate(RequestHead.MAX_BYTES);
  private byte[] out = new byte[512];
  private int scanned;
  private RequestHead head;
  private int headLength;
  private long t0;
  private RoutingTable table;
  private boolean closeAfter;
  private volatile boolean writing;

  ProxyConnection(
      EndPoint endPoint, Connector connector, ConnectionFactory fallback, ProxyContext ctx) {
    super(endPoint, connector.getExecutor());
    this.connector = connector;
    this.fallback = fallback;
    this.ctx = ctx;
  }

  @Override
  public void onOpen() {
    super.onOpen();
    tryFillInterested(readable);
  }

  /**
   * Reads and serves what the caller sent, on one thread at a time: the selector's (the caller's
   * bytes arrived) or the one that wrote an answer (a pipelined request is buffered, or the bytes
   * arrived while the backend worked). A call while another runs makes that one go round again.
   */
  @Override
  public void onFillable() {
    if (runs.getAndIncrement() != 0) {
      return;
    }
    int seen = 1;
    do {
      serve();
    } while ((seen = runs.addAndGet(-seen)) != 0);
  }

  private void serve() {
    try {
      while (true) {
        int r = takeBuffered();
        if (r == STOP) {
          return;
        }
        if (r == AGAIN) {
          continue;
        }
        if (isFillInterested()) {
          return; // it calls back when bytes arrive
        }
        if (in.limit() == in.capacity()) {
          BufferUtil.compact(in);
        }
        int n = getEndPoint().fill(in);
        if (n == 0) {
          tryFillInterested(readable);
          return;
        }
        if (n < 0) {
          getEndPoint().close(); // the caller is done (a half-sent request is dropped)
          return;
        }
      }
    } catch (Throwable t) {
      LOG.debug("lean proxy connection failed", t);
      getEndPoint().close(t);
    }
  }

  private static final int STOP = 0;
  private static final int AGAIN = 1;
  private static final int MORE = 2;

  /** Takes the buffered request if it is all there: STOP, AGAIN (answered already) or MORE. */
  private int takeBuffered() {
    if (phase.get() != READING) {
      return STOP; // bytes that came while the backend works wait until the answer is out
    }
    byte[] a = in.array();
    int from = in.arrayOffset() + in.position();
    int to = in.arrayOffset() + in.limit();
    if (head == null) {
      if (from == to) {
        return MORE;
      }
      int end = HeadBytes.end(a, from, from + scanned, to);
      if (end == -1) {
        scanned = to - from;
        if (to - from >= RequestHead.MAX_BYTES) {
          handOver();
          return STOP;
        }
        return MORE;
      }
      scanned = 0;
      RoutingTable t = ctx.state().table();
      RequestHead h =
          end == HeadBytes.BARE_LF
              ? null
              : RequestHead.parse(
                  a,
                  from,
                  end,
                  t.config().pinHeader(),
                  t.config().sticky() == null ? null : t.config().sticky().header());
      if (h == null || h.contentLength > t.config().server().maxRequestBytes()) {
        handOver(); // Jetty answers it (413 for a body too large)
        return STOP;
      }
      t0 = System.nanoTime();
      head = h;
      headLength = end - from;
      table = t;
      int total = (int) (headLength + h.contentLength);
      if (total > in.capacity()) {
        ByteBuffer bigger = BufferUtil.allocate(total);
        BufferUtil.append(bigger, in);
        in = bigger;
        return MORE;
      }
    }
    int total = (int) (headLength + head.contentLength);
    if (in.remaining() < total) {
      return MORE;
    }
    int start = in.arrayOffset() + in.position();
    byte[] body =
        head.contentLength == 0
            ? null
            : Arrays.copyOfRange(in.array(), start + headLength, start + total);
    in.position(in.position() + total);
    if (in.capacity() > RequestHead.MAX_BYTES) {
      ByteBuffer small = BufferUtil.allocate(RequestHead.MAX_BYTES);
      BufferUtil.append(small, in); // nothing, or a pipelined head shorter than MAX_BYTES
      in = small;
    } else if (!in.hasRemaining()) {
      BufferUtil.clear(in);
    }
    RequestHead h = head;
    head = null;
    return dispatch(h, body) ? STOP : AGAIN;
  }

  /** Sends the request on; true if the answer comes later (or the connection closes). */
  private boolean dispatch(RequestHead h, byte[] body) {
    closeAfter = h.close;
    phase.set(DISPATCHING);
    ctx.enter();
    ProxyExchange.route(ctx, table, h.pin, h.sticky, h.withBody(body), this, t0);
    if (phase.compareAndSet(DISPATCHING, WAITING)) {
      if (!in.hasRemaining()) {
        // asked now, on the selector thread, the interest costs no system call and no wake-up
        // of this selector by the thread that writes the answer
        tryFillInterested(readable);
      }
      return true;
    }
    // answered and written on this thread (or another) already: go on with the next request
    phase.set(READING);
    return closeAfter || !getEndPoint().isOpen();
  }

  /** Jetty's HTTP/1.1 connection takes over this one, with the bytes not consumed yet. */
  private void handOver() {
    Connection next = fallback.newConnection(connector, getEndPoint());
    getEndPoint().upgrade(next);
  }

  @Override
  public ByteBuffer onUpgradeFrom() {
    ByteBuffer rest = in;
    in = BufferUtil.EMPTY_BUFFER;
    return rest;
  }

  /**
   * The backend's status line (ours when it has none to pass on) and header lines are copied as
   * they came; {@code servedBy} is added, and Content-Length unless the head carries it.
   */
  @Override
  public void answer(BackendAnswer backend, HttpField servedBy, boolean close) {
    closeAfter |= close;
    int n = backend.statusLineLength() > 0 ? 0 : statusLine(backend.status());
    room(n, backend.headLength());
    System.arraycopy(backend.head(), 0, out, n, backend.headLength());
    n += backend.headLength();
    n = header(n, servedBy.getName(), servedBy.getValue());
    write(n, backend.status(), backend.body(), backend.lengthKept());
  }

  @Override
  public void error(int status, String routedTo, byte[] body, boolean close) {
    closeAfter |= close;
    int n = statusLine(status);
    n = header(n, "Content-Type", "application/json");
    if (routedTo != null) {
      n = header(n, ProxyExchange.ROUTED_TO, routedTo);
    }
    write(n, status, body, false);
  }

  private int statusLine(int status) {
    String reason = HttpStatus.getMessage(status); // the number itself for a code it lacks
    room(0, 16 + reason.length());
    int n = HeadBytes.put(out, 0, "HTTP/1.1 ");
    n = HeadBytes.put(out, n, Integer.toString(status));
    out[n++] = ' ';
    n = HeadBytes.put(out, n, reason);
    out[n++] = '\r';
    out[n++] = '\n';
    return n;
  }

  private int header(int n, String name, String value) {
    room(n, name.length() + value.length() + 4);
    n = HeadBytes.put(out, n, name);
    out[n++] = ':';
    out[n++] = ' ';
    n = HeadBytes.put(out, n, value);
    out[n++] = '\r';
    out[n++] = '\n';
    return n;
  }

  /**
   * Content-Length (unless already there, or where a status has no body), Connection, blank line;
   * then both out.
   */
  private void write(int n, int status, byte[] body, boolean lengthThere) {
    if (!lengthThere && status >= 200 && status != 204 && status != 304) {
      n = header(n, "Content-Length", Integer.toString(body.length));
    }
    if (closeAfter) {
      n = header(n, "Connection", "close");
    }
    room(n, 2);
    out[n++] = '\r';
    out[n++] = '\n';
    writing = true;
    try {
      getEndPoint().write(written, ByteBuffer.wrap(out, 0, n), ByteBuffer.wrap(body));
    } catch (RuntimeException e) {
      writeFailed(e);
    }
  }

  private void room(int n, int more) {
    if (n + more > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, n + more));
    }
  }

  /**
   * The answer is out: close if asked to, else read on (on this thread, unless the thread that
   * dispatched the request is still on its way out and reads on itself).
   */
  private void written() {
    writing = false;
    if (closeAfter) {
      getEndPoint().shutdownOutput();
      getEndPoint().close();
      phase.set(READING);
      return;
    }
    if (phase.compareAndSet(DISPATCHING, ANSWERED)) {
      return; // the thread that dispatched reads on
    }
    phase.set(READING);
    if (in.hasRemaining() || !isFillInterested()) {
      onFillable(); // a pipelined request, or bytes that came (or an end) while the backend worked
    }
  }

  private void writeFailed(Throwable t) {
    writing = false;
    LOG.debug("writing an answer failed", t);
    getEndPoint().close(t);
  }

  /** Idle while reading a request or writing an answer: close; never while the backend works. */
  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    return writing || phase.get() == READING;
  }
}
