package dev.starling.runtime.router.backend;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.SelectorManager;

/**
 * The router's client for its backends: plain HTTP/1.1 keep-alive connections on Jetty's IO layer
 * (its own selector, or the router server's: {@link #dialThrough}; the router's thread pool), one
 * {@link BackendPool} per endpoint. Written for the proxy path instead of Jetty's general-purpose
 * {@code HttpClient}, which on two cores spent about twice the CPU per proxied request (request
 * objects, listener chains, a {@code java.net.URI} per request); this does one gathered write and
 * one parse per exchange and nothing else.
 */
public final class BackendClient implements AutoCloseable {
  private final ClientConnector connector = new ClientConnector();
  private final ConcurrentHashMap<String, BackendPool> pools = new ConcurrentHashMap<>();
  private final int maxConnectionsPerEndpoint;
  private final long idleTimeoutMillis;
  private final long connectTimeoutMillis;
  private volatile SelectorManager dialer;

  public BackendClient(
      Executor executor,
      Duration connectTimeout,
      Duration idleTimeout,
      int maxConnectionsPerEndpoint) {
    connector.setExecutor(executor);
    connector.setSelectors(1);
    connector.setConnectTimeout(connectTimeout);
    connector.setIdleTimeout(idleTimeout);
    connector.setTCPNoDelay(true);
    this.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint;
    this.idleTimeoutMillis = idleTimeout.toMillis();
    this.connectTimeoutMillis = connectTimeout.toMillis();
  }

  /**
   * From now on new backend connections are opened on {@code selectors} (the router's server
   * connector's, whose connections must treat a {@link Dial} attachment as this client's: see
   * {@code RouterConnector}) instead of this client's own selector: a request read from a caller
   * and its answer read from the backend are then handled by the same selector thread, one epoll
   * loop per request instead of two, and no thread wakes another to pass an answer on. Sets the
   * selectors' connect timeout to this client's.
   */
  public void dialThrough(SelectorManager selectors) {
    selectors.setConnectTimeout(connectTimeoutMillis);
    this.dialer = selectors;
  }

  SelectorManager dialer() {
    return dialer;
  }

  public void start() throws Exception {
    connector.start();
  }

  /** Sends {@code x} to {@code host:port}; the outcome arrives at the exchange's listener. */
  public void send(String host, int port, BackendExchange x) {
    pools
        .computeIfAbsent(
            host + ':' + port,
            k ->
                new BackendPool(
                    this, connector, host, port, maxConnectionsPerEndpoint, idleTimeoutMillis))
        .send(x);
  }

  /**
   * Drops the pool for {@code host:port} (an address that left the config or the DNS answer): its
   * idle connections close, busy ones after their exchange. A later send starts a new pool.
   */
  public void forget(String host, int port) {
    BackendPool p = pools.remove(host + ':' + port);
    if (p != null) {
      p.retire();
    }
  }

  @Override
  public void close() throws Exception {
    connector.stop();
  }
}
