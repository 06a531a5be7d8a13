package dev.starling.runtime.router.backend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.IO;

/**
 * The keep-alive connections to one endpoint: the most recently used idle one first (it is the
 * least likely to have been closed), never one idle for {@code proxy.idleTimeout} or longer (kept
 * below the runtime's own idle timeout, so the runtime is never closing the connection we pick), a
 * new one when none is idle, and at most {@code max} open; past that an exchange fails at once with
 * {@link FailureKind#BUSY} rather than queueing behind a backend that is not keeping up.
 */
final class BackendPool {
  private final BackendClient client;
  private final ClientConnector connector;
  private final InetSocketAddress address;
  private final int max;
  private final long idleTimeoutNanos;
  private final ConcurrentLinkedDeque<BackendConnection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean retired;

  BackendPool(
      BackendClient client,
      ClientConnector connector,
      String host,
      int port,
      int max,
      long idleTimeoutMillis) {
    this.client = client;
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
    Dial dial = new Dial(this, x);
    SelectorManager dialer = client.dialer();
    if (dialer != null) {
      dialThrough(dialer, dial);
      return;
    }
    Map<String, Object> context = new HashMap<>();
    context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
    context.put(ClientConnectionFactory.CONTEXT_KEY, dial);
    context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, dial);
    try {
      connector.connect(resolved(), context);
    } catch (RuntimeException e) {
      dial.failed(e);
    }
  }

  /**
   * Connects on the given selectors (the router's server connector's, so the backend connection is
   * read by the same selector as the callers' connections), with {@code dial} as the channel's
   * attachment; the selectors' connect timeout applies.
   */
  private void dialThrough(SelectorManager dialer, Dial dial) {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open();
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.configureBlocking(false);
      if (channel.connect(resolved())) {
        dialer.accept(channel, dial);
      } else {
        dialer.connect(channel, dial);
      }
    } catch (IOException | RuntimeException e) {
      IO.close(channel);
      dial.failed(e);
    }
  }

  Executor executor() {
    return connector.getExecutor();
  }

  void notOpened() {
    open.decrementAndGet();
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
