package dev.starling.runtime.cli;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.ConfigValidator;
import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.LiveSettings;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.model.Digests;
import dev.starling.runtime.model.ModelFetcher;
import dev.starling.runtime.model.ModelRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code runtime.yaml} and applies what changed without a restart: models swapped in place
 * when their source changes, batching and cache settings per model, then auth, rate limits and
 * {@code inference.maxInflight} and {@code inflightLimit} through {@link LiveSettings}. Settings
 * read only at start (server, limits, logging, drift, inference threads) are logged as needing a
 * restart. Polls the file's digest rather than using inotify: a ConfigMap update in Kubernetes
 * replaces a symlink, which directory watches see unreliably. An invalid new config is logged and
 * ignored.
 */
final class ConfigWatcher implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final Supplier<RuntimeConfig> reader;
  private final ModelRegistry models;
  private final ModelFetcher fetcher;
  private final InferenceConfig inference;
  private final LiveSettings live;
  private final Duration every;
  private String lastDigest;

  ConfigWatcher(
      Path file,
      Supplier<RuntimeConfig> reader,
      ModelRegistry models,
      ModelFetcher fetcher,
      LiveSettings live,
      Duration every) {
    this.file = file;
    this.reader = reader;
    this.models = models;
    this.fetcher = fetcher;
    this.inference = live.get().inference();
    this.live = live;
    this.every = every;
    this.lastDigest = digest();
  }

  static Thread start(ConfigWatcher w) {
    Thread t = new Thread(w, "config-watcher");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void run() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(every.toMillis());
        check();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("config reload failed", e);
      }
    }
  }

  /** Reloads if the file changed; returns the number of models swapped. */
  int check() {
    String d = digest();
    if (d == null || d.equals(lastDigest)) {
      return 0;
    }
    lastDigest = d;
    RuntimeConfig next;
    try {
      next = ConfigValidator.validate(reader.get());
    } catch (ConfigException e) {
      LOG.error(
          "{} changed but is not valid; keeping the running config: {}", file, e.getMessage());
      return 0;
    }
    LOG.info("{} changed; applying it", file);
    warnAboutStartOnly(live.get(), next);
    int swapped = models.reload(next.models(), fetcher, inference);
    live.apply(next);
    return swapped;
  }

  private void warnAboutStartOnly(RuntimeConfig was, RuntimeConfig next) {
    List<String> changed = new ArrayList<>();
    if (!was.server().equals(next.server())) {
      changed.add("server");
    }
    if (!was.limits().equals(next.limits())) {
      changed.add("limits");
    }
    if (!was.logging().equals(next.logging())) {
      changed.add("logging");
    }
    if (!was.drift().equals(next.drift())) {
      changed.add("drift");
    }
    if (!was.inference().intraOpThreads().equals(next.inference().intraOpThreads())
        || !was.inference().maxConcurrent().equals(next.inference().maxConcurrent())
        || !was.inference().niceness().equals(next.inference().niceness())) {
      changed.add("inference.intraOpThreads/maxConcurrent/niceness");
    }
    if (!changed.isEmpty()) {
      LOG.warn("{} changed {}: read at start only, they apply after a restart", file, changed);
    }
  }

  private String digest() {
    try {
      return Digests.sha256(file);
    } catch (IOException e) {
      return null;
    }
  }
}
