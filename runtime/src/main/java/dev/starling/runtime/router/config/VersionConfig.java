package dev.starling.runtime.router.config;

import java.util.List;

/**
 * One model version behind the router: its share of live traffic and the runtime URLs serving it
 * (round-robin among the ready ones).
 */
public record VersionConfig(String name, Integer weight, List<String> endpoints) {
  public VersionConfig {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }
}
