package dev.starling.runtime.router.config;

import dev.starling.runtime.config.ConfigException;
import java.util.Arrays;
import java.util.List;

/**
 * The router's command-line shorthands: {@code --backend NAME=URL[,URL...]@WEIGHT} and {@code
 * --mirror NAME@PERCENT}.
 */
public final class BackendFlags {
  private BackendFlags() {}

  /** {@code v1=http://127.0.0.1:9001,http://127.0.0.1:9011@90} → v1, weight 90, two endpoints. */
  public static VersionConfig backend(String flag) {
    int eq = flag.indexOf('=');
    int at = flag.lastIndexOf('@');
    if (eq < 1 || at < eq + 2) {
      throw new ConfigException(
          "--backend '" + flag + "': expected NAME=URL[,URL...]@WEIGHT, e.g. v1=http://h:8080@90");
    }
    List<String> urls =
        Arrays.stream(flag.substring(eq + 1, at).split(",")).map(String::trim).toList();
    return new VersionConfig(flag.substring(0, eq), number(flag, flag.substring(at + 1)), urls);
  }

  /** {@code v2@20} → mirror 20 % of requests to v2. */
  public static MirrorConfig mirror(String flag) {
    int at = flag.lastIndexOf('@');
    if (at < 1) {
      throw new ConfigException("--mirror '" + flag + "': expected NAME@PERCENT, e.g. v2@20");
    }
    return new MirrorConfig(
        flag.substring(0, at), number(flag, flag.substring(at + 1)), null, null);
  }

  private static int number(String flag, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + flag + "': '" + text + "' after @ is not a whole number");
    }
  }
}
