package dev.starling.runtime.router.config;

import java.time.Duration;

/**
 * How the router talks to runtimes. {@code idleTimeout} stays below the runtime's own idle timeout
 * (30 s) so the router, not the backend, closes idle keep-alive connections: a request is then
 * never written onto a connection the backend is closing at that moment.
 */
public record ProxyConfig(
    Duration connectTimeout,
    Duration requestTimeout,
    Duration idleTimeout,
    Integer maxConnectionsPerEndpoint,
    Integer maxResponseBytes) {

  public ProxyConfig {
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
    requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
    idleTimeout = idleTimeout == null ? Duration.ofSeconds(15) : idleTimeout;
    maxConnectionsPerEndpoint = maxConnectionsPerEndpoint == null ? 256 : maxConnectionsPerEndpoint;
    maxResponseBytes = maxResponseBytes == null ? 64 * 1024 * 1024 : maxResponseBytes;
  }

  public static ProxyConfig defaults() {
    return new ProxyConfig(null, null, null, null, null);
  }
}
