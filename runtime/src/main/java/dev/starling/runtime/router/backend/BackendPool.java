package dev.starling.runtime.router.backend;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.Promise;

/**
 * The keep-alive connections to one endpoint: the most recently used idle one first (it is the
 * least likely to have been closed), never one idle for {@code proxy.idleTimeout} or longer (kept
 * below the runtime's own idle timeout, so the runtime is never closing the connection we pick), a
 * new one when none is idle, and at most {@code max} open; past that an exchange fails at once with
 * {@link FailureKind#BUSY} rather than queueing behind a backend that is not keeping up.
 */
final class BackendPool {
  private final ClientConnector connector;
  private final InetSocketAddress address;
  private final int max;
  private final long idleTimeoutNanos;
  private final ConcurrentLinkedDeque<BackendConnection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean retired;

  BackendPool(ClientConnector connector, String host, int port, int max, long idleTimeoutMillis) {
    this.connector = connector;
    this.address = InetSocketAddress.createUnresolved(host, port);
    this.max = max;
    this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000;
  }

  void send(BackendExchange x) {
    BackendConnection c;
    while ((c = idle.pollFirst()) != null) {
      if (c.isOpen() && c.idleNanos() < idleTimeoutNanos) {
        c.send(x);
        return;
      }
      c.close(); // idle too long: the backend may be closing it right now
    }
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      x.fail(FailureKind.BUSY, new IllegalStateException(max + " connections in use"));
      return;
    }
    connect(x);
  }

  private void connect(BackendExchange x) {
    Map<String, Object> context = new HashMap<>();
    context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
    context.put(
        ClientConnectionFactory.CONTEXT_KEY,
        (ClientConnectionFactory)
            (endPoint, ctx) -> new BackendConnection(endPoint, connector.getExecutor(), this));
    context.put(
        ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY,
        new Promise<Connection>() {
          @Override
          public void succeeded(Connection connection) {
            ((BackendConnection) connection).send(x);
          }

          @Override
          public void failed(Throwable cause) {
            open.decrementAndGet();
            // Jetty's ClientConnector reports its connect timeout as a SocketTimeoutException
            x.fail(
                cause instanceof SocketTimeoutException
                    ? FailureKind.CONNECT_TIMEOUT
                    : FailureKind.NOT_SENT,
                cause);
          }
        });
    try {
      connector.connect(resolved(), context);
    } catch (RuntimeException e) {
      open.decrementAndGet();
      x.fail(FailureKind.NOT_SENT, e);
    }
  }

  /** Resolved on every connect, so a Service whose address changes is followed. */
  private InetSocketAddress resolved() {
    return new InetSocketAddress(address.getHostString(), address.getPort());
  }

  void release(BackendConnection c) {
    idle.offerFirst(c);
    if (retired && idle.remove(c)) {
      c.close(); // released after retire() emptied the idle list
    }
  }

  /**
   * The address is no longer used (it left the config or its name's DNS answer): idle connections
   * close now, busy ones once their exchange is done.
   */
  void retire() {
    retired = true;
    BackendConnection c;
    while ((c = idle.pollFirst()) != null) {
      c.close();
    }
  }

  void closed(BackendConnection c) {
    idle.remove(c);
    open.decrementAndGet();
  }
}
