package dev.starling.runtime.router;

import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.VersionConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's one piece of mutable state: the current {@link RoutingTable} and the endpoints it
 * was built from. Config reloads and readiness changes rebuild the table under a lock and publish
 * it with a volatile write; the request path only reads it.
 */
public final class RoutingState {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingState.class);

  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final Consumer<RoutingTable> onChange;
  private volatile RoutingTable table;
  private RouterConfig config;
  private long generation;

  public RoutingState(RouterConfig config, Consumer<RoutingTable> onChange) {
    this.onChange = onChange;
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
   * Makes {@code next} the config: endpoints already known keep their readiness, new ones start not
   * ready (traffic moves to them only after a health check passes). Returns the new endpoints.
   */
  public synchronized List<Endpoint> apply(RouterConfig next) {
    List<Endpoint> added = new ArrayList<>();
    Map<String, Endpoint> keep = new LinkedHashMap<>();
    for (VersionConfig v : next.versions()) {
      for (String url : v.endpoints()) {
        Endpoint e = endpoints.get(url);
        if (e == null) {
          e = new Endpoint(url);
          added.add(e);
        }
        keep.put(url, e);
      }
    }
    endpoints.clear();
    endpoints.putAll(keep);
    config = next;
    generation++;
    rebuild();
    return added;
  }

  public synchronized Collection<Endpoint> endpoints() {
    return List.copyOf(endpoints.values());
  }

  /** Records a health result or a refused connection; rebuilds the table if readiness changed. */
  public void setReady(Endpoint e, boolean ready, String why) {
    synchronized (this) {
      if (!e.setReady(ready)) {
        return;
      }
      if (endpoints.get(e.url()) == e) {
        rebuild();
      }
    }
    if (ready) {
      LOG.info("endpoint {} is ready", e.url());
    } else {
      LOG.warn("endpoint {} is not ready: {}", e.url(), why);
    }
  }

  private void rebuild() {
    RoutingTable t = new RoutingTable(generation, config, endpoints::get);
    table = t;
    onChange.accept(t);
  }
}
