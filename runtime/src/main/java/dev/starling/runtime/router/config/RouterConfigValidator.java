package dev.starling.runtime.router.config;

import dev.starling.runtime.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a bound router configuration before it is used (at start and on every reload); collects
 * every problem, each naming its field.
 */
public final class RouterConfigValidator {
  /** Version names appear in headers and metric labels, so they stay plain. */
  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** An HTTP header name (RFC 9110 token). */
  private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");

  private RouterConfigValidator() {}

  public static RouterConfig validate(RouterConfig c) {
    List<String> errors = new ArrayList<>();
    server(errors, c.server());
    ProxyConfig p = c.proxy();
    positive(errors, "proxy.connectTimeout", p.connectTimeout());
    positive(errors, "proxy.requestTimeout", p.requestTimeout());
    positive(errors, "proxy.idleTimeout", p.idleTimeout());
    if (p.maxConnectionsPerEndpoint() < 1) {
      errors.add("proxy.maxConnectionsPerEndpoint: must be at least 1");
    }
    if (p.maxResponseBytes() < 1024) {
      errors.add("proxy.maxResponseBytes: must be at least 1024");
    }
    positive(errors, "health.interval", c.health().interval());
    positive(errors, "health.timeout", c.health().timeout());
    if (c.health().failureThreshold() < 1) {
      errors.add(
          "health.failureThreshold: must be at least 1, got " + c.health().failureThreshold());
    }
    positive(errors, "reloadInterval", c.reloadInterval());
    if (c.resolveInterval().toMillis() < 100) {
      errors.add("resolveInterval: must be at least 100ms, got " + c.resolveInterval());
    }
    String format = c.logging().format();
    if (!format.equals("json") && !format.equals("text")) {
      errors.add("logging.format: must be json or text, got '" + format + "'");
    }
    versions(errors, c.versions());
    header(errors, "pinHeader", c.pinHeader(), false);
    if (c.sticky() != null) {
      header(errors, "sticky.header", c.sticky().header(), true);
    }
    if (c.mirror() != null) {
      mirror(errors, c.mirror(), c.versions());
    }
    if (!errors.isEmpty()) {
      throw new ConfigException("invalid router configuration:\n  " + String.join("\n  ", errors));
    }
    return c;
  }

  private static void server(List<String> errors, RouterServerConfig s) {
    if (s.port() < 0 || s.port() > 65535) {
      errors.add("server.port: " + s.port() + " is not a port (0..65535)");
    }
    if (s.maxRequestBytes() < 1024) {
      errors.add("server.maxRequestBytes: must be at least 1024, got " + s.maxRequestBytes());
    }
    if (s.maxRequestBytes() > Integer.MAX_VALUE - 8) {
      errors.add("server.maxRequestBytes: must be below 2 GiB, got " + s.maxRequestBytes());
    }
    if (s.maxThreads() < 8) {
      errors.add("server.maxThreads: must be at least 8, got " + s.maxThreads());
    }
    if (s.shutdownGracePeriod().isNegative()) {
      errors.add("server.shutdownGracePeriod: must not be negative");
    }
    if (s.drainDelay().isNegative()) {
      errors.add("server.drainDelay: must not be negative");
    }
  }

  private static void versions(List<String> errors, List<VersionConfig> versions) {
    if (versions.isEmpty()) {
      errors.add("versions: at least one version is required");
      return;
    }
    Map<String, String> names = new HashMap<>();
    Map<String, String> urls = new HashMap<>();
    long total = 0;
    for (int i = 0; i < versions.size(); i++) {
      VersionConfig v = versions.get(i);
      String at = "versions[" + i + "]";
      if (v.name() == null || !VERSION.matcher(v.name()).matches()) {
        errors.add(at + ".name: '" + v.name() + "' must match " + VERSION.pattern());
      } else if (names.putIfAbsent(v.name(), at) != null) {
        errors.add(at + ".name: '" + v.name() + "' is also " + names.get(v.name()) + ".name");
      }
      if (v.weight() == null) {
        errors.add(at + ".weight: required (0..100)");
      } else if (v.weight() < 0 || v.weight() > 100) {
        errors.add(at + ".weight: must be 0..100, got " + v.weight());
      } else {
        total += v.weight();
      }
      if (v.endpoints().isEmpty()) {
        errors.add(at + ".endpoints: at least one URL is required");
      }
      for (int j = 0; j < v.endpoints().size(); j++) {
        String eat = at + ".endpoints[" + j + "]";
        String url = v.endpoints().get(j);
        String problem = endpointProblem(url);
        if (problem != null) {
          errors.add(eat + ": " + problem);
        } else if (urls.putIfAbsent(url, eat) != null) {
          errors.add(eat + ": '" + url + "' is also " + urls.get(url));
        }
      }
    }
    if (total == 0 && names.size() == versions.size()) {
      errors.add("versions: every weight is 0; at least one version must take traffic");
    }
  }

  /** Why {@code url} cannot be an endpoint, or null if it can. */
  public static String endpointProblem(String url) {
    if (url == null || url.isBlank()) {
      return "must be an http:// URL";
    }
    try {
      URI u = new URI(url);
      if ("https".equals(u.getScheme())) {
        return "'"
            + url
            + "': https is not supported; the router speaks plain HTTP/1.1 to"
            + " runtimes (in-cluster Service URLs)";
      }
      if (!"http".equals(u.getScheme())) {
        return "'" + url + "' must start with http://";
      }
      if (u.getHost() == null) {
        return "'" + url + "' has no host";
      }
      if (u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
        return "'" + url + "' must not have a query, fragment or user info";
      }
      return null;
    } catch (URISyntaxException e) {
      return "'" + url + "' is not a URL: " + e.getReason();
    }
  }

  private static void mirror(List<String> errors, MirrorConfig m, List<VersionConfig> versions) {
    if (m.version() == null || m.version().isBlank()) {
      errors.add("mirror.version: required");
    } else if (versions.stream().noneMatch(v -> m.version().equals(v.name()))) {
      errors.add(
          "mirror.version: '"
              + m.version()
              + "' is not one of versions[].name "
              + versions.stream().map(VersionConfig::name).toList());
    }
    if (m.percent() == null) {
      errors.add("mirror.percent: required (0..100)");
    } else if (m.percent() < 0 || m.percent() > 100) {
      errors.add("mirror.percent: must be 0..100, got " + m.percent());
    }
    if (m.maxInflight() < 1) {
      errors.add("mirror.maxInflight: must be at least 1, got " + m.maxInflight());
    }
    if (m.maxAbsDiff() != null && !(m.maxAbsDiff() >= 0)) {
      errors.add("mirror.maxAbsDiff: must be a number >= 0, got " + m.maxAbsDiff());
    }
  }

  private static void header(List<String> errors, String field, String value, boolean required) {
    if (value == null) {
      if (required) {
        errors.add(field + ": required");
      }
    } else if (!HEADER.matcher(value).matches()) {
      errors.add(field + ": '" + value + "' is not an HTTP header name");
    }
  }

  private static void positive(List<String> errors, String field, Duration d) {
    if (d.isNegative() || d.isZero()) {
      errors.add(field + ": must be positive, got " + d);
    }
  }
}
