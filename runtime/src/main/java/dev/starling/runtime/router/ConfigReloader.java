package dev.starling.runtime.router;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.RouterConfigLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the config file every {@code reloadInterval} and applies it when its bytes changed.
 * Comparing content rather than the modification time works for Kubernetes ConfigMap volumes (where
 * the file is a symlink swapped by the kubelet) and for edits within one second. A file that does
 * not parse or validate is logged and counted, and the router keeps routing with the config it has.
 */
final class ConfigReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

  private final Path file;
  private final Function<byte[], RouterConfig> parse;
  private final Consumer<RouterConfig> apply;
  private final RouterMetrics metrics;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "router-reload");
            t.setDaemon(true);
            return t;
          });
  private byte[] last;

  /**
   * @param parse bytes to a validated config (throws {@link ConfigException} with field names)
   */
  ConfigReloader(
      Path file,
      byte[] current,
      Function<byte[], RouterConfig> parse,
      Consumer<RouterConfig> apply,
      RouterMetrics metrics) {
    this.file = file;
    this.last = current;
    this.parse = parse;
    this.apply = apply;
    this.metrics = metrics;
  }

  void start(long intervalMillis) {
    timer.scheduleWithFixedDelay(this::poll, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  void poll() {
    byte[] now;
    try {
      now = RouterConfigLoader.read(file);
    } catch (ConfigException e) {
      return; // mid-swap or briefly missing; the next poll sees the new file
    }
    if (Arrays.equals(now, last)) {
      return;
    }
    last = now;
    try {
      RouterConfig next = parse.apply(now);
      apply.accept(next);
      metrics.reload("applied");
      List<String> weights =
          next.versions().stream().map(v -> v.name() + "=" + v.weight()).toList();
      LOG.info("config reloaded from {}: weights {}", file, weights);
    } catch (ConfigException e) {
      metrics.reload("rejected");
      LOG.error(
          "config change in {} rejected, still routing with the previous one: {}",
          file,
          e.getMessage());
    } catch (RuntimeException e) {
      metrics.reload("rejected");
      LOG.error("config change in {} could not be applied", file, e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
