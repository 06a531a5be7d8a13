package dev.starling.runtime.config;

import java.time.Duration;

/** HTTP server settings. */
public record ServerConfig(
    String host,
    Integer port,
    Duration shutdownGracePeriod,
    Duration drainDelay,
    Long maxRequestBytes,
    Integer maxThreads) {

  public ServerConfig {
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? 8080 : port;
    shutdownGracePeriod =
        shutdownGracePeriod == null ? Duration.ofSeconds(20) : shutdownGracePeriod;
    drainDelay = drainDelay == null ? Duration.ZERO : drainDelay;
    maxRequestBytes = maxRequestBytes == null ? 4L * 1024 * 1024 : maxRequestBytes;
    maxThreads = maxThreads == null ? 64 : maxThreads;
  }

  public static ServerConfig defaults() {
    return new ServerConfig(null, null, null, null, null, null);
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(
        newHost, port, shutdownGracePeriod, drainDelay, maxRequestBytes, maxThreads);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        host, newPort, shutdownGracePeriod, drainDelay, maxRequestBytes, maxThreads);
  }
}
