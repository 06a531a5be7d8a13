package dev.starling.operator.traffic;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.Traffic;

/**
 * Whether a builtin-mode ModelDeployment has a router, and whether its {@code <md>} Service sends
 * callers through it. A router exists only when there is something to route: more than one version,
 * or a mirror. Otherwise {@code <md>} selects the single version's pods directly (no extra hop, no
 * router pod): with one version a weight is always 100 %, a sticky key always lands on it, and a
 * pin header is not looked at (the version answers, {@code x-starling-served-by} names it).
 *
 * <p>The switches never leave {@code <md>} without pods behind it:
 *
 * <ol>
 *   <li>router needed, {@code <md>} on a version: the router is created; {@code <md>} moves to its
 *       pods once it has a ready replica (until then the other versions' weight is held back,
 *       {@link EffectiveWeight#ROUTER_NOT_READY});
 *   <li>router needed, {@code <md>} on the router: it stays there (a router that loses its ready
 *       pods does not send callers back to one version);
 *   <li>router not needed, {@code <md>} on the router: {@code <md>} moves to the version's pods
 *       once they are ready (at once when the router has no ready pod either); the router objects
 *       stay;
 *   <li>router not needed, {@code <md>} on the version: the router objects are deleted.
 * </ol>
 *
 * Steps 3 and 4 are two reconciliations: the router is deleted only after the API server shows
 * {@code <md>} selecting the version.
 *
 * @param needed the spec asks for what only a router does
 * @param kept the router's objects (ConfigMap, Deployment, HPA, PDB) should exist
 * @param serves {@code <md>} should select the router's pods
 */
public record RouterPresence(boolean needed, boolean kept, boolean serves) {

  /** gateway-api mode: never a router. */
  public static final RouterPresence NONE = new RouterPresence(false, false, false);

  /**
   * What the cluster shows: {@code ready} the router Deployment has a ready replica; {@code
   * serving} the live {@code <md>} Service selects the router's pods.
   */
  public record Seen(boolean ready, boolean serving) {

    /** The settled state for a spec: a needed router ready and serving, else none. */
    public static Seen settled(ModelDeployment md) {
      boolean needed = needed(md);
      return new Seen(needed, needed);
    }
  }

  /** {@code versionReady}: the (first) version has a ready replica, for step 3. */
  public static RouterPresence decide(ModelDeployment md, Seen seen, boolean versionReady) {
    if (!TrafficPlan.builtin(md)) {
      return NONE;
    }
    if (needed(md)) {
      return new RouterPresence(true, true, seen.ready() || seen.serving());
    }
    boolean serves = seen.serving() && seen.ready() && !versionReady;
    return new RouterPresence(false, seen.serving(), serves);
  }

  /** More than one version, or a mirror: what only the router can do. */
  public static boolean needed(ModelDeployment md) {
    Traffic t = md.getSpec().getTraffic();
    return md.getSpec().getVersions().size() > 1 || (t != null && t.getMirror() != null);
  }
}
