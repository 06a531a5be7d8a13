package dev.starling.runtime.router;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves every configured URL whose host is a name to all its addresses, each {@code
 * resolveInterval} and at once after a reload, and hands the answers to {@link RoutingState}; new
 * addresses are health-checked at once. For a headless Service the answer is the version's ready
 * pods, so the router balances over pods itself: a pod the HPA adds gets traffic within about one
 * interval, which kube-proxy never gave it while the router's keep-alive connections stayed pinned
 * to the pods they first reached. A lookup that fails counts as an empty answer (the version is not
 * ready), as a headless Service without ready pods answers NXDOMAIN.
 */
final class EndpointDiscovery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointDiscovery.class);

  private final RoutingState state;
  private final AddressResolver resolver;
  private final Consumer<Endpoint> check;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "router-resolve");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param check health-checks a new endpoint now
   */
  EndpointDiscovery(RoutingState state, AddressResolver resolver, Consumer<Endpoint> check) {
    this.state = state;
    this.resolver = resolver;
    this.check = check;
  }

  void start() {
    scheduleNext(0);
  }

  /** Resolves every name once more now (after a reload brought new ones). */
  void resolveNow() {
    if (!timer.isShutdown()) {
      timer.execute(this::resolveAll);
    }
  }

  private void scheduleNext(long delayMillis) {
    if (!timer.isShutdown()) {
      timer.schedule(this::round, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void round() {
    try {
      resolveAll();
    } finally {
      scheduleNext(state.table().config().resolveInterval().toMillis());
    }
  }

  /** One pass over the names; each new address is checked before it can take traffic. */
  void resolveAll() {
    for (String url : state.names()) {
      state.resolved(url, lookup(URI.create(url).getHost())).forEach(check);
    }
  }

  private List<InetAddress> lookup(String host) {
    try {
      return resolver.resolve(host);
    } catch (UnknownHostException e) {
      LOG.debug("{} resolves to nothing: {}", host, e.getMessage());
      return List.of();
    } catch (RuntimeException e) {
      LOG.warn("resolving {} failed: {}", host, e.toString());
      return List.of();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
