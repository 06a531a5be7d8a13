package dev.starling.runtime.drift;

import dev.starling.runtime.model.ServedModel;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the reference profile when its file changes (a new ConfigMap reaches the pod without a
 * restart), like the API-key file: the file's digest is polled, and a changed, valid profile gets a
 * new {@link DriftMonitor} with an empty window, so the PSI gauges compare live rows with the new
 * reference only. A profile that cannot be read, or describes other features, is logged and the
 * monitor in force stays.
 */
final class ProfileReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProfileReloader.class);
  static final long POLL_MILLIS = 2000;

  private final Path file;
  private final ServedModel model;
  private final int window;
  private final MeterRegistry registry;
  private DriftMonitor current;
  private byte[] digest;
  private ScheduledExecutorService poller;

  ProfileReloader(
      Path file, ServedModel model, int window, MeterRegistry registry, DriftMonitor current) {
    this.file = file;
    this.model = model;
    this.window = window;
    this.registry = registry;
    this.current = current;
    this.digest = digestOrNull(file);
  }

  /** Polls on a daemon thread every {@link #POLL_MILLIS} until {@link #close()}. */
  synchronized void start() {
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drift-profile-reload");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(this::check, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Stops polling (the server stopped). */
  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  /** One poll: a changed file is read and, if valid, replaces the monitor. */
  synchronized void check() {
    byte[] now = digestOrNull(file);
    if (now == null || Arrays.equals(now, digest)) {
      return; // missing for a moment (the kubelet swaps the ConfigMap's symlink) or unchanged
    }
    digest = now; // one log line per new content, good or bad
    try {
      ReferenceProfile profile = DriftMonitoring.load(file.toString());
      DriftMonitoring.checkFeatures(profile, model.config());
      current.unregister(registry);
      current = new DriftMonitor(profile, window, model.name(), model.version(), registry);
      model.observer(current);
      LOG.info(
          "drift reference profile {} re-read: {} features, window restarted",
          file,
          profile.features().size());
    } catch (RuntimeException e) { // ConfigException: unreadable, or other features
      LOG.error(
          "drift reference profile {} changed but is not usable; keeping the old one: {}",
          file,
          e.getMessage());
    }
  }

  private static byte[] digestOrNull(Path file) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
