package dev.starling.runtime.router;

import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.VersionConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's one piece of mutable state: the current {@link RoutingTable} and the endpoints it
 * was built from. Config reloads, re-resolutions and readiness changes rebuild the table under a
 * lock and publish it with a volatile write; the request path only reads it.
 *
 * <p>A configured URL whose host is an IP address is one endpoint. A URL whose host is a name (a
 * headless Service: one DNS record per ready pod) is as many endpoints as the name has addresses
 * now ({@link EndpointDiscovery} re-resolves it); none while it resolves to nothing, which leaves
 * the version not ready. An address that leaves the answer gets no new requests; the ones already
 * sent to it finish on their connections.
 *
 * <p><b>Hand-over.</b> A rolling update can change a name's answer from the old pod to the new one
 * in one step, and a new address takes traffic only once its health check passes: for those few
 * milliseconds the version would have no ready endpoint. So while an answer (not an empty one) has
 * no ready address yet, the addresses that left it while ready stay in use (the old pod is in its
 * preStop sleep and still serves) until one of the answer's addresses passes its check, or until
 * they fail their own checks. An empty answer (no ready pods) takes the version out at once.
 *
 * <p><b>Panic mode.</b> When no version with weight has a ready endpoint, but some endpoints of
 * versions were ready until health checks that <em>timed out</em> took them out (and nothing else
 * has happened to them since: no refused connection, no non-200 answer, no broken request), the
 * table routes to those endpoints as if they were ready, with the versions' weights, instead of
 * answering 503 to everything. Checks that time out everywhere at once say more about the node the
 * router runs on (CPU starved) than about the backends. Panic ends when a check passes (normal
 * routing again) or when the candidates are taken out for another reason (then 503 as before). A
 * refused connection, a 503 from a draining runtime, or a name that no longer resolves never leaves
 * an endpoint in the panic set.
 */
public final class RoutingState {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingState.class);

  /** A configured URL to its endpoints now, in config order. */
  private final Map<String, List<Endpoint>> targets = new LinkedHashMap<>();

  /** Per URL: ready addresses that left its answer, in use until the answer has a ready one. */
  private final Map<String, List<Endpoint>> leaving = new LinkedHashMap<>();

  private final AtomicLong sequence = new AtomicLong();
  private final Consumer<RoutingTable> onChange;
  private final Consumer<Endpoint> onRemoved;
  private volatile RoutingTable table;
  private RouterConfig config;
  private long generation;

  public RoutingState(RouterConfig config, Consumer<RoutingTable> onChange) {
    this(config, onChange, e -> {});
  }

  /**
   * @param onRemoved told about each endpoint that left the config or its name's DNS answer (after
   *     the table without it is in place), to release what was kept for it
   */
  public RoutingState(
      RouterConfig config, Consumer<RoutingTable> onChange, Consumer<Endpoint> onRemoved) {
    this.onChange = onChange;
    this.onRemoved = onRemoved;
    apply(config);
  }

  public RoutingTable table() {
    return table;
  }

  /** The position of the next unpinned request in the weighted cycle (shared by all tables). */
  public long nextSequence() {
    return sequence.getAndIncrement();
  }

  /**
   * Makes {@code next} the config: endpoints already known keep their readiness (and names their
   * last addresses), new ones start not ready (traffic moves to them only after a health check
   * passes). A new name has no endpoints until it is resolved. Returns the new endpoints.
   */
  public List<Endpoint> apply(RouterConfig next) {
    List<Endpoint> added = new ArrayList<>();
    List<Endpoint> removed;
    synchronized (this) {
      Set<Endpoint> before = allLocked();
      applyLocked(next, added);
      before.removeAll(allLocked());
      removed = List.copyOf(before);
    }
    removed.forEach(onRemoved);
    return added;
  }

  private void applyLocked(RouterConfig next, List<Endpoint> added) {
    Map<String, List<Endpoint>> keep = new LinkedHashMap<>();
    for (VersionConfig v : next.versions()) {
      for (String url : v.endpoints()) {
        List<Endpoint> es = targets.get(url);
        if (es == null) {
          if (Endpoint.literal(url)) {
            Endpoint e = new Endpoint(url);
            added.add(e);
            es = List.of(e);
          } else {
            es = List.of();
          }
        }
        keep.put(url, es);
      }
    }
    targets.clear();
    targets.putAll(keep);
    leaving.keySet().retainAll(keep.keySet());
    config = next;
    generation++;
    rebuild();
  }

  /** The configured URLs whose host is a name, to be resolved. */
  public synchronized List<String> names() {
    return targets.keySet().stream().filter(url -> !Endpoint.literal(url)).toList();
  }

  /**
   * Records what {@code url}'s host name resolves to now (empty: nothing). Addresses already known
   * keep their endpoint and readiness; returns the endpoints that are new (not ready until
   * checked).
   */
  public List<Endpoint> resolved(String url, Collection<InetAddress> addresses) {
    List<Endpoint> added = new ArrayList<>();
    List<Endpoint> now;
    List<Endpoint> gone;
    synchronized (this) {
      List<Endpoint> before = targets.get(url);
      if (before == null) {
        return added; // the URL left the config while it was being resolved
      }
      Map<String, Endpoint> known = new LinkedHashMap<>();
      before.forEach(e -> known.put(e.host(), e));
      leaving.getOrDefault(url, List.of()).forEach(e -> known.putIfAbsent(e.host(), e));
      now = new ArrayList<>();
      for (InetAddress a : addresses) {
        Endpoint e = known.get(a.getHostAddress());
        if (e == null) {
          e = new Endpoint(url, a);
          added.add(e);
          known.put(e.host(), e);
        }
        if (!now.contains(e)) {
          now.add(e);
        }
      }
      // DNS servers rotate the order of their answers: only a change of the set matters
      now.sort(Comparator.comparing(Endpoint::host));
      if (now.equals(before)) {
        return added;
      }
      Set<Endpoint> was = allLocked();
      List<Endpoint> handOver = new ArrayList<>(leaving.getOrDefault(url, List.of()));
      before.stream().filter(Endpoint::ready).forEach(handOver::add);
      handOver.removeAll(now);
      targets.put(url, List.copyOf(now));
      setLeaving(
          url, now.isEmpty() || now.stream().anyMatch(Endpoint::ready) ? List.of() : handOver);
      rebuild();
      was.removeAll(allLocked());
      gone = List.copyOf(was);
    }
    LOG.info("{} resolves to {}", url, now.stream().map(Endpoint::host).toList());
    gone.forEach(onRemoved);
    return added;
  }

  /** Every endpoint of the config now, leaving ones included (for the health checker). */
  public synchronized Collection<Endpoint> endpoints() {
    return List.copyOf(allLocked());
  }

  private Set<Endpoint> allLocked() {
    Set<Endpoint> all = new LinkedHashSet<>();
    targets.values().forEach(all::addAll);
    leaving.values().forEach(all::addAll);
    return all;
  }

  private void setLeaving(String url, List<Endpoint> es) {
    if (es.isEmpty()) {
      leaving.remove(url);
    } else {
      leaving.put(url, List.copyOf(es));
    }
  }

  /**
   * Ends hand-overs that are over after {@code e}'s readiness changed: a ready address in the
   * answer retires the leaving ones, a leaving one that is no longer ready goes. Returns the
   * endpoints that left.
   */
  private List<Endpoint> settleLeavingLocked(Endpoint e) {
    List<Endpoint> out = new ArrayList<>();
    List<Endpoint> answer = targets.get(e.url());
    List<Endpoint> left = leaving.get(e.url());
    if (answer == null || left == null) {
      return out;
    }
    if (e.ready() && answer.contains(e)) {
      out.addAll(left);
      leaving.remove(e.url());
    } else if (!e.ready() && left.contains(e)) {
      out.add(e);
      List<Endpoint> rest = new ArrayList<>(left);
      rest.remove(e);
      setLeaving(e.url(), rest);
    }
    return out;
  }

  /** Records a health result or a refused connection; rebuilds the table if readiness changed. */
  public void setReady(Endpoint e, boolean ready, String why) {
    update(e, ready, false, why);
  }

  /**
   * Takes out an endpoint whose health checks timed out {@code health.failureThreshold} times in a
   * row; if it was ready until now it becomes a panic candidate.
   */
  public void timedOut(Endpoint e, String why) {
    update(e, false, true, why);
  }

  private void update(Endpoint e, boolean ready, boolean byTimeouts, String why) {
    boolean wasReady = e.ready();
    boolean panicBefore;
    boolean panicAfter;
    List<Endpoint> retired;
    synchronized (this) {
      if (!e.update(ready, byTimeouts)) {
        return;
      }
      panicBefore = table.panic();
      boolean inUse = current(e);
      retired = settleLeavingLocked(e);
      if (inUse) {
        rebuild();
      }
      panicAfter = table.panic();
    }
    if (!retired.isEmpty()) {
      LOG.info("{}: hand-over done, no longer using {}", e.url(), retired);
      retired.forEach(onRemoved);
    }
    if (wasReady != ready) {
      if (ready) {
        LOG.info("endpoint {} is ready", e);
      } else {
        LOG.warn("endpoint {} is not ready: {}", e, why);
      }
    }
    if (panicAfter != panicBefore) {
      if (panicAfter) {
        LOG.warn(
            "panic: no version has a ready endpoint and health checks time out everywhere;"
                + " routing to the endpoints that were ready before their checks timed out");
      } else {
        LOG.info("panic over: routing to ready endpoints only");
      }
    }
  }

  private boolean current(Endpoint e) {
    List<Endpoint> es = targets.get(e.url());
    List<Endpoint> left = leaving.get(e.url());
    return (es != null && es.contains(e)) || (left != null && left.contains(e));
  }

  private void rebuild() {
    RoutingTable t = new RoutingTable(generation, config, this::endpointsOf, false);
    if (!t.serving()) {
      RoutingTable panic = new RoutingTable(generation, config, this::endpointsOf, true);
      if (panic.serving()) {
        t = panic;
      }
    }
    table = t;
    onChange.accept(t);
  }

  private List<Endpoint> endpointsOf(String url) {
    List<Endpoint> left = leaving.get(url);
    List<Endpoint> answer = targets.getOrDefault(url, List.of());
    if (left == null) {
      return answer;
    }
    List<Endpoint> all = new ArrayList<>(answer);
    all.addAll(left);
    return all;
  }
}
