package dev.starling.operator.traffic;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.Traffic;
import dev.starling.api.v1alpha1.VersionStatus;
import dev.starling.operator.desired.VersionDefaults;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The traffic decision for one ModelDeployment at one moment: the effective weight of every version
 * (from {@link EffectiveWeights}: spec, last status, ready replicas), which versions run pods (from
 * {@link VersionScale}) and whether a builtin router exists and serves ({@link RouterPresence}).
 * Every child that depends on traffic is built from one plan.
 *
 * @param weights what each version's traffic really is
 * @param routed the weights the router applies once it serves (router.yaml); equal to {@code
 *     weights} except while a needed router is not serving yet
 */
public record TrafficPlan(
    List<EffectiveWeight> weights,
    Set<String> running,
    RouterPresence router,
    List<EffectiveWeight> routed) {

  /** As {@link #decide(ModelDeployment, Map, RouterPresence.Seen)} with a settled router. */
  public static TrafficPlan decide(ModelDeployment md, Map<String, Integer> readyReplicas) {
    return decide(md, readyReplicas, RouterPresence.Seen.settled(md));
  }

  /**
   * {@code readyReplicas}: version name → ready replicas of its Deployment now (missing → 0). The
   * previous weights are the effective weights in {@code md.status}. {@code seen}: the router as
   * the cluster shows it (builtin mode).
   */
  public static TrafficPlan decide(
      ModelDeployment md, Map<String, Integer> readyReplicas, RouterPresence.Seen seen) {
    Map<String, Integer> previous = new HashMap<>();
    if (md.getStatus() != null && md.getStatus().getVersions() != null) {
      for (VersionStatus s : md.getStatus().getVersions()) {
        previous.put(s.getName(), s.getWeight() == null ? 0 : s.getWeight());
      }
    }
    List<VersionTraffic> inputs = new ArrayList<>();
    for (ModelVersion v : md.getSpec().getVersions()) {
      inputs.add(
          new VersionTraffic(
              v.getName(),
              VersionDefaults.weight(md.getSpec(), v),
              previous.getOrDefault(v.getName(), 0),
              readyReplicas.getOrDefault(v.getName(), 0)));
    }
    List<EffectiveWeight> weights = EffectiveWeights.decide(inputs);
    String mirror = mirrorTarget(md).orElse(null);
    Set<String> running = new LinkedHashSet<>();
    for (int i = 0; i < weights.size(); i++) {
      ModelVersion v = md.getSpec().getVersions().get(i);
      if (VersionScale.runs(weights.get(i), v.getName().equals(mirror), v.pinned())) {
        running.add(v.getName());
      }
    }
    String first = md.getSpec().getVersions().get(0).getName();
    RouterPresence router =
        RouterPresence.decide(md, seen, readyReplicas.getOrDefault(first, 0) > 0);
    List<EffectiveWeight> served =
        router.needed() && !router.serves() ? throughOneVersion(weights) : weights;
    return new TrafficPlan(List.copyOf(served), Set.copyOf(running), router, List.copyOf(weights));
  }

  /**
   * While a needed router does not serve yet, {@code <md>} selects one version (the {@link
   * #primary}): it gets all the traffic and every other version's weight is held back. Example:
   * desired v1=90 v2=10, both ready, router starting → v1=100, v2=0 (RouterNotReady).
   */
  static List<EffectiveWeight> throughOneVersion(List<EffectiveWeight> weights) {
    String primary = largest(weights);
    List<EffectiveWeight> out = new ArrayList<>(weights.size());
    for (EffectiveWeight w : weights) {
      int effective = w.name().equals(primary) ? 100 : 0;
      Optional<String> held =
          effective >= w.desired()
              ? Optional.empty()
              : w.heldBack().or(() -> Optional.of(EffectiveWeight.ROUTER_NOT_READY));
      out.add(new EffectiveWeight(w.name(), w.desired(), effective, held));
    }
    return out;
  }

  /** Whether the ModelDeployment uses the builtin router (the default) rather than an HTTPRoute. */
  public static boolean builtin(ModelDeployment md) {
    Traffic t = md.getSpec().getTraffic();
    return t == null || !t.gatewayApi();
  }

  public boolean runs(String version) {
    return running.contains(version);
  }

  public Optional<EffectiveWeight> of(String version) {
    return weights.stream().filter(w -> w.name().equals(version)).findFirst();
  }

  /** Version name → effective weight, in spec order. */
  public Map<String, Integer> effective() {
    Map<String, Integer> out = new LinkedHashMap<>();
    weights.forEach(w -> out.put(w.name(), w.effective()));
    return out;
  }

  /**
   * The weights written into router.yaml: the effective ones, or, when no version can serve yet
   * (all effective weights 0), the desired ones. The router refuses a table in which every weight
   * is 0, and it sends nothing to an endpoint that fails its health checks anyway, so the desired
   * weights then answer 503 until a version is ready, and start flowing the moment one is.
   */
  public Map<String, Integer> routerWeights() {
    boolean any = routed.stream().anyMatch(w -> w.effective() > 0);
    Map<String, Integer> out = new LinkedHashMap<>();
    routed.forEach(w -> out.put(w.name(), any ? w.effective() : w.desired()));
    return out;
  }

  /** The versions whose weight is held back, in spec order. */
  public List<EffectiveWeight> heldBack() {
    return weights.stream().filter(w -> w.heldBack().isPresent()).toList();
  }

  /**
   * The version with the largest effective weight (ties and no weight at all: the first such in
   * spec order, else the primary by desired weight): what the {@code <md>} Service selects in
   * gateway-api mode, and in builtin mode while no router serves.
   */
  public String primary(ModelDeployment md) {
    String best = largest(weights);
    return best != null ? best : VersionDefaults.primary(md.getSpec()).getName();
  }

  /** The first version with the largest effective weight; null when every weight is 0. */
  private static String largest(List<EffectiveWeight> weights) {
    EffectiveWeight best = null;
    for (EffectiveWeight w : weights) {
      if (w.effective() > 0 && (best == null || w.effective() > best.effective())) {
        best = w;
      }
    }
    return best == null ? null : best.name();
  }

  private static Optional<String> mirrorTarget(ModelDeployment md) {
    Traffic t = md.getSpec().getTraffic();
    return t == null || t.getMirror() == null
        ? Optional.empty()
        : Optional.ofNullable(t.getMirror().getVersion());
  }
}
