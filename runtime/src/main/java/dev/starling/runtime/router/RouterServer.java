package dev.starling.runtime.router;

import dev.starling.runtime.http.StarlingApp;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.router.backend.BackendClient;
import dev.starling.runtime.router.config.RouterConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs the router process: one Jetty thread pool shared by the server and the backend client, the
 * health checker, the resolver of endpoint names, and the config reloader. SIGTERM or SIGINT: not
 * ready, wait {@code server.drainDelay}, finish in-flight requests up to {@code
 * server.shutdownGracePeriod}, exit 0.
 */
public final class RouterServer {
  private static final Logger LOG = LoggerFactory.getLogger(RouterServer.class);

  /**
   * {@code -Dstarling.router.sharedSelectors=false} keeps the backend connections on the client's
   * own selector (a thread of its own), as before the router's connector dialled for it.
   */
  static final boolean SHARED_SELECTORS =
      Boolean.parseBoolean(System.getProperty("starling.router.sharedSelectors", "true"));

  private final RouterConfig cfg;
  private final Path configFile;
  private final byte[] configBytes;
  private final Function<byte[], RouterConfig> reparse;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final AddressResolver resolver = AddressResolver.SYSTEM;

  /**
   * @param configFile the file to watch for changes, or null (flags only)
   * @param configBytes the file's content {@code cfg} was read from
   * @param reparse the file's new bytes to a validated config (flag overrides applied again)
   */
  public RouterServer(
      RouterConfig cfg,
      Path configFile,
      byte[] configBytes,
      Function<byte[], RouterConfig> reparse) {
    this.cfg = cfg;
    this.configFile = configFile;
    this.configBytes = configBytes;
    this.reparse = reparse;
  }

  public int run() {
    RuntimeMetrics registry = new RuntimeMetrics();
    RouterMetrics metrics = new RouterMetrics(registry);
    QueuedThreadPool pool = new RouterThreadPool(cfg.server().maxThreads());
    BackendClient client =
        new BackendClient(
            pool,
            cfg.proxy().connectTimeout(),
            cfg.proxy().idleTimeout(),
            cfg.proxy().maxConnectionsPerEndpoint());
    AtomicReference<HealthChecker> checker = new AtomicReference<>();
    RoutingState state =
        new RoutingState(
            cfg,
            metrics::table,
            gone -> {
              // an address that left: its keep-alive connections close, its pools go
              client.forget(gone.host(), gone.port());
              HealthChecker h = checker.get();
              if (h != null) {
                h.forget(gone);
              }
            });
    Mirror mirror = new Mirror(client, metrics);
    RouterHandler handler = new RouterHandler(client, state, mirror, metrics);
    Server server = server(pool, handler, cfg.server().host(), cfg.server().port());
    HealthChecker health = new HealthChecker(pool, state);
    checker.set(health);
    EndpointDiscovery discovery = new EndpointDiscovery(state, resolver, health::check);
    ConfigReloader reloader =
        configFile == null
            ? null
            : new ConfigReloader(
                configFile,
                configBytes,
                reparse,
                next -> {
                  warnIfRestartNeeded(next);
                  state.apply(next).forEach(health::check);
                  discovery.resolveNow();
                },
                metrics);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    try {
      client.start();
      server.start();
      health.start();
      discovery.start();
    } catch (Exception e) {
      LOG.error(
          "cannot listen on {}:{}: {}", cfg.server().host(), cfg.server().port(), e.toString());
      stopQuietly(server, client);
      return 1;
    }
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    LOG.info("listening on http://{}:{}", cfg.server().host(), port);
    if (reloader != null) {
      reloader.poll(); // applies a change made since the file was read at start
      reloader.start(cfg.reloadInterval().toMillis());
    }
    logRouting();
    awaitStopAndDrain(handler);
    if (reloader != null) {
      reloader.close();
    }
    discovery.close();
    health.close();
    mirror.close();
    stopQuietly(server, client);
    registry.close();
    LOG.info("stopped");
    return 0;
  }

  private void logRouting() {
    LOG.info(
        "routing {} (pin header: {}, sticky header: {}, mirror: {})",
        cfg.versions().stream()
            .map(v -> v.name() + "=" + v.weight() + "%" + v.endpoints())
            .toList(),
        cfg.pinHeader(),
        cfg.sticky() == null ? null : cfg.sticky().header(),
        cfg.mirror() == null ? null : cfg.mirror().version() + "@" + cfg.mirror().percent() + "%");
  }

  /** Waits for SIGTERM/SIGINT, then: not ready, drainDelay, in-flight requests up to the grace. */
  private void awaitStopAndDrain(RouterHandler handler) {
    try {
      stop.await();
      LOG.info(
          "shutting down: not ready now, draining {} in-flight request(s)", handler.inflight());
      handler.beginDrain();
      Thread.sleep(cfg.server().drainDelay().toMillis());
      long deadline = System.nanoTime() + cfg.server().shutdownGracePeriod().toNanos();
      while (handler.inflight() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      if (handler.inflight() > 0) {
        LOG.warn("{} request(s) still in flight after the grace period", handler.inflight());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The router's Jetty server: the lean proxy path first, Jetty's HTTP/1.1 behind it; the backend
   * client's connections on the same selectors as the callers'.
   */
  static Server server(QueuedThreadPool pool, RouterHandler handler, String host, int port) {
    Server server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setSendDateHeader(false); // the backend's Date header is passed through
    HttpConnectionFactory jetty = new HttpConnectionFactory(http);
    // holds whatever the lean path had buffered when it hands a connection over (at most a head)
    jetty.setInputBufferSize(Math.max(jetty.getInputBufferSize(), 2 * RequestHead.MAX_BYTES));
    ServerConnector connector =
        ProxyConnectionFactory.ENABLED
            ? new RouterConnector(server, new ProxyConnectionFactory(jetty, handler), jetty)
            : new RouterConnector(server, jetty);
    if (SHARED_SELECTORS) {
      handler.client().dialThrough(connector.getSelectorManager());
    }
    connector.setHost(host);
    connector.setPort(port);
    // The runtime's listen backlog, for the same reason: callers reconnecting at once behind a
    // Service must not have their SYNs dropped at the JDK's default of 50.
    connector.setAcceptQueueSize(StarlingApp.ACCEPT_QUEUE);
    server.addConnector(connector);
    server.setHandler(handler);
    server.setErrorHandler(new RouterErrorHandler());
    server.setStopTimeout(1000);
    return server;
  }

  private void warnIfRestartNeeded(RouterConfig next) {
    if (!next.server().equals(cfg.server()) || !next.proxy().equals(cfg.proxy())) {
      LOG.warn(
          "server.* and proxy.* changes other than proxy.requestTimeout and"
              + " proxy.maxResponseBytes take effect after a restart");
    }
  }

  private static void stopQuietly(Server server, BackendClient client) {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the server: {}", e.toString());
    }
    try {
      client.close();
    } catch (Exception e) {
      LOG.warn("stopping the client: {}", e.toString());
    }
  }
}
