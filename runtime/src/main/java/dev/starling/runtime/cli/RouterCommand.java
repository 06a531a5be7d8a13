package dev.starling.runtime.cli;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.LoggingConfig;
import dev.starling.runtime.router.RouterServer;
import dev.starling.runtime.router.config.BackendFlags;
import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.RouterConfigLoader;
import dev.starling.runtime.router.config.RouterConfigValidator;
import dev.starling.runtime.router.config.StickyConfig;
import java.nio.file.Path;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code router}: reads router.yaml (flags override it) and runs the traffic router. */
@Command(
    name = "router",
    mixinStandardHelpOptions = true,
    description =
        "Route OIP v2 / KServe V1 traffic between model versions: exact weighted splits, pinning,"
            + " sticky keys, shadow traffic with answer comparison.")
public final class RouterCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      description = "router.yaml to read and watch for changes (see contract/README.md).")
  Path config;

  @Option(
      names = "--backend",
      description =
          "A version: NAME=URL[,URL...]@WEIGHT, e.g. v1=http://127.0.0.1:9001@90. Repeatable;"
              + " replaces the file's versions.")
  List<String> backends = new ArrayList<>();

  @Option(
      names = "--pin-header",
      description = "Header naming the version to use, e.g. x-starling-version.")
  String pinHeader;

  @Option(
      names = "--sticky-header",
      description = "Header whose value keeps a caller on one version.")
  String stickyHeader;

  @Option(names = "--mirror", description = "Shadow traffic: NAME@PERCENT, e.g. v2@20.")
  String mirror;

  @Option(names = "--host", description = "Listen address (default 0.0.0.0).")
  String host;

  @Option(names = "--port", description = "Listen port (default 8080; 0 picks a free one).")
  Integer port;

  @Option(names = "--log-format", description = "json or text (default json; text on a terminal).")
  String logFormat;

  @Override
  public Integer call() {
    noAddressCache();
    RouterConfig cfg;
    byte[] bytes = null;
    try {
      if (config != null) {
        bytes = RouterConfigLoader.read(config);
      }
      cfg = resolve(bytes);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Logs.configure(cfg.logging().format());
    return new RouterServer(cfg, config, bytes, this::resolve).run();
  }

  /**
   * The router re-resolves endpoint names itself each {@code resolveInterval}; the JVM's address
   * cache (30 s for answers, 10 s for "no such name" by default) would hide a pod leaving or
   * joining a headless Service for that long. Set before the first lookup, which is when the JVM
   * reads it.
   */
  static void noAddressCache() {
    Security.setProperty("networkaddress.cache.ttl", "0");
    Security.setProperty("networkaddress.cache.negative.ttl", "0");
  }

  /** The file's config (if any) with the flags applied over it, validated. */
  public RouterConfig resolve(byte[] file) {
    RouterConfig cfg =
        file != null ? RouterConfigLoader.parse(file, config.toString()) : RouterConfig.empty();
    if (host != null) {
      cfg = cfg.withServer(cfg.server().withHost(host));
    }
    if (port != null) {
      cfg = cfg.withServer(cfg.server().withPort(port));
    }
    if (!backends.isEmpty()) {
      cfg = cfg.withVersions(backends.stream().map(BackendFlags::backend).toList());
    }
    if (pinHeader != null) {
      cfg = cfg.withPinHeader(pinHeader);
    }
    if (stickyHeader != null) {
      cfg = cfg.withSticky(new StickyConfig(stickyHeader));
    }
    if (mirror != null) {
      cfg = cfg.withMirror(BackendFlags.mirror(mirror));
    }
    String format =
        logFormat != null ? logFormat : config == null && System.console() != null ? "text" : null;
    if (format != null) {
      cfg = cfg.withLogging(new LoggingConfig(format));
    }
    return RouterConfigValidator.validate(cfg);
  }
}
