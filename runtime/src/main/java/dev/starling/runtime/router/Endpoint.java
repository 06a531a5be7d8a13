package dev.starling.runtime.router;

import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * One place requests for a version go: a configured URL whose host is an IP address, or one of the
 * addresses a configured URL's host name resolves to (then requests connect to that address and
 * carry the name in their Host header). Its readiness is the one mutable thing about it: set by the
 * health checker, and cleared at once when a connection to it is refused. Endpoints are kept across
 * config reloads and re-resolutions (by URL and address), so neither forgets which are ready.
 */
public final class Endpoint {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final String url;
  private final String id;
  private final boolean resolved;
  private final String scheme;
  private final String host;
  private final int port;
  private final String basePath;
  private final HttpField hostField;
  private final AtomicInteger failedChecks = new AtomicInteger();
  private volatile boolean ready;
  private volatile boolean timedOut;

  /**
   * The endpoint of a URL used as it is (its host an IP address, or a name resolved per connect).
   */
  public Endpoint(String url) {
    this(url, null);
  }

  /** One address {@code url}'s host name resolved to; null: the URL itself. */
  public Endpoint(String url, InetAddress address) {
    URI u = URI.create(url);
    this.url = url;
    this.resolved = address != null;
    this.scheme = u.getScheme();
    String name = u.getHost();
    this.host = resolved ? address.getHostAddress() : name;
    this.port = u.getPort() > 0 ? u.getPort() : "https".equals(scheme) ? 443 : 80;
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    boolean defaultPort = u.getPort() < 0;
    this.hostField = new HttpField(HttpHeader.HOST, defaultPort ? name : name + ":" + port);
    this.id =
        resolved
            ? scheme + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port
            : url;
  }

  /**
   * True when {@code url}'s host is an IP address (used as it is); false when it is a name the
   * router resolves to all its addresses.
   */
  public static boolean literal(String url) {
    String h = URI.create(url).getHost();
    return h != null && (h.startsWith("[") || IPV4.matcher(h).matches());
  }

  /** The configured URL (for a resolved endpoint: the URL whose name resolved to it). */
  public String url() {
    return url;
  }

  /**
   * What tells this endpoint apart in logs and metrics: the URL, or for a resolved endpoint {@code
   * http://ADDRESS:PORT}.
   */
  public String id() {
    return id;
  }

  /** True when this is one address of a URL's host name. */
  public boolean resolved() {
    return resolved;
  }

  public String scheme() {
    return scheme;
  }

  /** The host to connect to: the address for a resolved endpoint, else the URL's host. */
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

  /**
   * True when health checks that timed out took this endpoint out while it was ready, and nothing
   * else has happened to it since: a candidate for panic routing (see {@link RoutingState}).
   */
  public boolean timedOut() {
    return timedOut;
  }

  /**
   * Records a health result; true if this changed the endpoint's readiness or its panic candidacy.
   *
   * @param byTimeouts the endpoint is taken out because its checks timed out (not refused, not
   *     answered with a non-200): it stays a panic candidate if it was ready until now
   */
  boolean update(boolean value, boolean byTimeouts) {
    boolean wasTimedOut = timedOut;
    if (value) {
      timedOut = false;
    } else if (byTimeouts) {
      timedOut = ready || timedOut;
    } else {
      timedOut = false;
    }
    boolean changed = ready != value || wasTimedOut != timedOut;
    ready = value;
    return changed;
  }

  @Override
  public String toString() {
    return resolved ? url + " at " + host : url;
  }
}
