package dev.starling.runtime.config;

import java.time.Duration;

/**
 * HTTP server settings, including the defences against slow or abusive clients: an idle timeout on
 * connections and blocking reads, a minimum upload rate for request bodies, and a cap on open
 * connections.
 */
public record ServerConfig(
    String host,
    Integer port,
    Duration shutdownGracePeriod,
    Duration drainDelay,
    Long maxRequestBytes,
    Integer maxThreads,
    Duration idleTimeout,
    Long minRequestDataRate,
    Integer maxConnections) {

  public ServerConfig {
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? 8080 : port;
    shutdownGracePeriod =
        shutdownGracePeriod == null ? Duration.ofSeconds(20) : shutdownGracePeriod;
    drainDelay = drainDelay == null ? Duration.ZERO : drainDelay;
    maxRequestBytes = maxRequestBytes == null ? 4L * 1024 * 1024 : maxRequestBytes;
    maxThreads = maxThreads == null ? 64 : maxThreads;
    idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
    minRequestDataRate = minRequestDataRate == null ? 1024L : minRequestDataRate;
    maxConnections = maxConnections == null ? 4096 : maxConnections;
  }

  public ServerConfig(
      String host,
      Integer port,
      Duration shutdownGracePeriod,
      Duration drainDelay,
      Long maxRequestBytes,
      Integer maxThreads) {
    this(
        host, port, shutdownGracePeriod, drainDelay, maxRequestBytes, maxThreads, null, null, null);
  }

  public static ServerConfig defaults() {
    return new ServerConfig(null, null, null, null, null, null);
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(
        newHost,
        port,
        shutdownGracePeriod,
        drainDelay,
        maxRequestBytes,
        maxThreads,
        idleTimeout,
        minRequestDataRate,
        maxConnections);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        host,
        newPort,
        shutdownGracePeriod,
        drainDelay,
        maxRequestBytes,
        maxThreads,
        idleTimeout,
        minRequestDataRate,
        maxConnections);
  }

  public ServerConfig withIdleTimeout(Duration timeout) {
    return new ServerConfig(
        host,
        port,
        shutdownGracePeriod,
        drainDelay,
        maxRequestBytes,
        maxThreads,
        timeout,
        minRequestDataRate,
        maxConnections);
  }
}
