package dev.starling.operator.traffic;

/**
 * One version as the traffic math sees it: its desired weight (spec), the weight it had last time
 * (status, 0 when new) and how many ready replicas it has now.
 */
public record VersionTraffic(String name, int desired, int previous, int readyReplicas) {

  public boolean ready() {
    return readyReplicas > 0;
  }
}
