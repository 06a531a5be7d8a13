package dev.starling.operator.traffic;

import java.util.Optional;

/**
 * The weight a version actually gets and, when that is less than it asked for, why (a reason a user
 * can search for, e.g. {@code NoReadyReplicas}).
 */
public record EffectiveWeight(String name, int desired, int effective, Optional<String> heldBack) {

  public static final String NO_READY_REPLICAS = "NoReadyReplicas";
  public static final String WAITING_FOR_READY_VERSIONS = "WaitingForReadyVersions";

  /** The router that splits the traffic has no ready replica yet: one version gets it all. */
  public static final String ROUTER_NOT_READY = "RouterNotReady";
}
