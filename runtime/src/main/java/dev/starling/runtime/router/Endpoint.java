package dev.starling.runtime.router;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * One runtime URL behind a version. Its readiness is the one mutable thing about it: set by the
 * health checker, and cleared at once when a connection to it is refused. Endpoints are kept across
 * config reloads (by URL), so a reload does not forget which of them are ready.
 */
public final class Endpoint {
  private final String url;
  private final String scheme;
  private final String host;
  private final int port;
  private final String basePath;
  private final HttpField hostField;
  private final AtomicInteger failedChecks = new AtomicInteger();
  private volatile boolean ready;

  public Endpoint(String url) {
    URI u = URI.create(url);
    this.url = url;
    this.scheme = u.getScheme();
    this.host = u.getHost();
    this.port = u.getPort() > 0 ? u.getPort() : "https".equals(scheme) ? 443 : 80;
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    boolean defaultPort = u.getPort() < 0;
    this.hostField = new HttpField(HttpHeader.HOST, defaultPort ? host : host + ":" + port);
  }

  public String url() {
    return url;
  }

  public String scheme() {
    return scheme;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** The URL's path without a trailing slash ({@code ""} for most), prefixed to proxied paths. */
  public String basePath() {
    return basePath;
  }

  /** The Host header for requests to this endpoint. */
  public HttpField hostField() {
    return hostField;
  }

  public boolean ready() {
    return ready;
  }

  /** Health checks that timed out or broke in a row (reset by a passing one). */
  AtomicInteger failedChecks() {
    return failedChecks;
  }

  /** True if this changed the endpoint's readiness. */
  boolean setReady(boolean value) {
    if (ready == value) {
      return false;
    }
    ready = value;
    return true;
  }

  @Override
  public String toString() {
    return url;
  }
}
