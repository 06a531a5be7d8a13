package dev.starling.runtime.router;

import dev.starling.runtime.router.config.MirrorConfig;
import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.VersionConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An immutable snapshot of where requests go: the configured versions, which of them can take
 * traffic now (weight above 0 and a ready endpoint), and the weighted and sticky splits over those.
 * A config reload, a re-resolution or a readiness change builds a new table and swaps it in
 * atomically; a request in flight keeps the table it started with. A panic table (see {@link
 * RoutingState}) also counts endpoints that only health-check timeouts took out as ready.
 */
public final class RoutingTable {
  private final long generation;
  private final RouterConfig config;
  private final List<VersionRoute> versions;
  private final Map<String, VersionRoute> byName;
  private final VersionRoute[] routable;
  private final WeightedSchedule schedule;
  private final StickyAssignment sticky;
  private final VersionRoute mirror;
  private final MirrorSampler mirrorSampler;
  private final boolean panic;

  /**
   * @param endpoints a configured URL to its endpoints now (one for an IP-address URL, one per
   *     address for a name, none while the name resolves to nothing)
   */
  RoutingTable(
      long generation,
      RouterConfig config,
      Function<String, List<Endpoint>> endpoints,
      boolean panic) {
    this.generation = generation;
    this.config = config;
    this.panic = panic;
    List<VersionRoute> all = new ArrayList<>();
    Map<String, VersionRoute> names = new HashMap<>();
    List<VersionRoute> live = new ArrayList<>();
    for (VersionConfig v : config.versions()) {
      List<Endpoint> es =
          v.endpoints().stream()
              .flatMap(url -> endpoints.apply(url).stream())
              .collect(Collectors.toList());
      VersionRoute r = new VersionRoute(v.name(), v.weight(), es, panic);
      all.add(r);
      names.put(r.name(), r);
      if (r.weight() > 0 && r.hasReadyEndpoint()) {
        live.add(r);
      }
    }
    this.versions = List.copyOf(all);
    this.byName = Map.copyOf(names);
    this.routable = live.toArray(VersionRoute[]::new);
    int[] weights = live.stream().mapToInt(VersionRoute::weight).toArray();
    this.schedule = routable.length == 0 ? null : WeightedSchedule.of(weights);
    this.sticky = routable.length == 0 ? null : StickyAssignment.of(weights);
    MirrorConfig m = config.mirror();
    boolean mirroring = m != null && m.percent() > 0;
    this.mirror = mirroring ? names.get(m.version()) : null;
    this.mirrorSampler = mirroring ? new MirrorSampler(m.percent()) : null;
  }

  public long generation() {
    return generation;
  }

  /** True when this table routes to endpoints whose health checks time out (panic mode). */
  public boolean panic() {
    return panic;
  }

  public RouterConfig config() {
    return config;
  }

  public List<VersionRoute> versions() {
    return versions;
  }

  /** A configured version by name (pinning, and the retry's lookup); null if unknown. */
  public VersionRoute named(String name) {
    return byName.get(name);
  }

  /** The version for the {@code sequence}-th unpinned request; null if no version can serve. */
  public VersionRoute weighted(long sequence) {
    return schedule == null ? null : routable[schedule.pick(sequence)];
  }

  /** The version a sticky key belongs to while weights and readiness hold; null if none serves. */
  public VersionRoute sticky(String key) {
    return sticky == null ? null : routable[sticky.pick(key)];
  }

  /** True when some version with weight can take traffic. */
  public boolean serving() {
    return routable.length > 0;
  }

  /** The share of unpinned traffic {@code v} gets now, 0..100. */
  public double effectiveWeight(VersionRoute v) {
    long total = 0;
    boolean in = false;
    for (VersionRoute r : routable) {
      total += r.weight();
      in |= r == v;
    }
    return in ? 100.0 * v.weight() / total : 0;
  }

  /** The shadow version, or null when nothing is mirrored. */
  public VersionRoute mirror() {
    return mirror;
  }

  public boolean mirrorSample(long sequence) {
    return mirrorSampler != null && mirrorSampler.sample(sequence);
  }
}
