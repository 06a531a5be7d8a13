package dev.starling.runtime.router;

import dev.starling.runtime.http.StarlingApp;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;

/**
 * A version in one routing table: its weight, all its endpoints, and the ready ones in turn (in a
 * panic table: the ready ones and those only health-check timeouts took out).
 */
public final class VersionRoute {
  private final String name;
  private final int weight;
  private final List<Endpoint> endpoints;
  private final Endpoint[] ready;
  private final AtomicInteger turn = new AtomicInteger();
  private final HttpField servedBy;
  private final boolean panic;

  VersionRoute(String name, int weight, List<Endpoint> endpoints, boolean panic) {
    this.name = name;
    this.weight = weight;
    this.endpoints = List.copyOf(endpoints);
    this.panic = panic;
    this.ready = endpoints.stream().filter(this::usable).toArray(Endpoint[]::new);
    this.servedBy = new HttpField(StarlingApp.SERVED_BY, name);
  }

  /** {@code x-starling-served-by: <name>}, made once. */
  HttpField servedBy() {
    return servedBy;
  }

  public String name() {
    return name;
  }

  public int weight() {
    return weight;
  }

  public List<Endpoint> endpoints() {
    return endpoints;
  }

  public boolean hasReadyEndpoint() {
    return ready.length > 0;
  }

  /** The next ready endpoint, round-robin; null if none is ready. */
  public Endpoint next() {
    return ready.length == 0 ? null : ready[Math.floorMod(turn.getAndIncrement(), ready.length)];
  }

  /** A ready endpoint other than {@code failed} (for the one retry), or null. */
  public Endpoint nextOtherThan(Endpoint failed) {
    for (int i = 0; i < ready.length; i++) {
      Endpoint e = next();
      if (e != failed && usable(e)) {
        return e;
      }
    }
    return null;
  }

  private boolean usable(Endpoint e) {
    return e.ready() || (panic && e.timedOut());
  }
}
