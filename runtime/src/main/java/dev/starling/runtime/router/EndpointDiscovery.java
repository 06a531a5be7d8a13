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
 * to the pods they first reached.
 *
 * <p>A name that does not exist (or has no addresses) is an empty answer: the version is not ready,
 * as a headless Service without ready pods answers NXDOMAIN. A lookup that could not be answered at
 * all (the resolver's "temporary failure": DNS server unreachable, timed out or SERVFAIL) keeps the
 * last answer instead, so a short cluster-DNS outage does not take every version out; the
 * endpoints' own health checks keep deciding whether those addresses serve.
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
      List<InetAddress> answer = lookup(URI.create(url).getHost());
      if (answer != null) {
        state.resolved(url, answer).forEach(check);
      }
    }
  }

  /** The addresses of {@code host}, empty if it has none, null if the lookup got no answer. */
  private List<InetAddress> lookup(String host) {
    try {
      return resolver.resolve(host);
    } catch (UnknownHostException e) {
      if (transientFailure(e)) {
        LOG.warn(
            "resolving {} got no answer ({}); keeping its last addresses", host, e.getMessage());
        return null;
      }
      LOG.debug("{} resolves to nothing: {}", host, e.getMessage());
      return List.of();
    } catch (RuntimeException e) {
      LOG.warn("resolving {} failed: {}; keeping its last addresses", host, e.toString());
      return null;
    }
  }

  /**
   * True for the resolver's EAI_AGAIN, which the JDK reports only through the message text ({@code
   * "<host>: Temporary failure in name resolution"} from glibc's gai_strerror): no server answered,
   * as opposed to a server saying the name has no addresses.
   */
  static boolean transientFailure(UnknownHostException e) {
    String m = e.getMessage();
    return m != null && m.contains("Temporary failure in name resolution");
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
