package dev.starling.runtime.router.config;

import dev.starling.runtime.config.LoggingConfig;
import java.time.Duration;
import java.util.List;

/**
 * The router's whole configuration: what {@code router.yaml} binds to (see contract/README.md,
 * "Router config"). Versions are kept in the order written: sticky assignment depends on it.
 */
public record RouterConfig(
    RouterServerConfig server,
    ProxyConfig proxy,
    HealthConfig health,
    LoggingConfig logging,
    Duration reloadInterval,
    Duration resolveInterval,
    List<VersionConfig> versions,
    String pinHeader,
    StickyConfig sticky,
    MirrorConfig mirror) {

  public RouterConfig {
    server = server == null ? RouterServerConfig.defaults() : server;
    proxy = proxy == null ? ProxyConfig.defaults() : proxy;
    health = health == null ? HealthConfig.defaults() : health;
    logging = logging == null ? LoggingConfig.defaults() : logging;
    reloadInterval = reloadInterval == null ? Duration.ofSeconds(1) : reloadInterval;
    resolveInterval = resolveInterval == null ? Duration.ofSeconds(1) : resolveInterval;
    versions = versions == null ? List.of() : List.copyOf(versions);
  }

  public static RouterConfig empty() {
    return new RouterConfig(null, null, null, null, null, null, null, null, null, null);
  }

  public RouterConfig withServer(RouterServerConfig s) {
    return new RouterConfig(
        s,
        proxy,
        health,
        logging,
        reloadInterval,
        resolveInterval,
        versions,
        pinHeader,
        sticky,
        mirror);
  }

  public RouterConfig withLogging(LoggingConfig l) {
    return new RouterConfig(
        server,
        proxy,
        health,
        l,
        reloadInterval,
        resolveInterval,
        versions,
        pinHeader,
        sticky,
        mirror);
  }

  public RouterConfig withVersions(List<VersionConfig> v) {
    return new RouterConfig(
        server,
        proxy,
        health,
        logging,
        reloadInterval,
        resolveInterval,
        v,
        pinHeader,
        sticky,
        mirror);
  }

  public RouterConfig withPinHeader(String h) {
    return new RouterConfig(
        server,
        proxy,
        health,
        logging,
        reloadInterval,
        resolveInterval,
        versions,
        h,
        sticky,
        mirror);
  }

  public RouterConfig withSticky(StickyConfig s) {
    return new RouterConfig(
        server,
        proxy,
        health,
        logging,
        reloadInterval,
        resolveInterval,
        versions,
        pinHeader,
        s,
        mirror);
  }

  public RouterConfig withMirror(MirrorConfig m) {
    return new RouterConfig(
        server,
        proxy,
        health,
        logging,
        reloadInterval,
        resolveInterval,
        versions,
        pinHeader,
        sticky,
        m);
  }
}
