package dev.starling.runtime.security;

import dev.starling.runtime.config.ConfigException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys of a file, re-read when its content changes. A mounted Secret changes by a symlink
 * swap (Kubernetes points {@code ..data} at a new directory), which directory watches see late or
 * not at all, so this polls: it reads the file every {@code interval} and re-parses it when the
 * SHA-256 of the bytes differs. A key that is not in the current set also triggers a check if the
 * file's stat (mtime, size, inode, following the symlinks) changed, so a client that switches to a
 * new key right after the file was replaced is not refused while the poll catches up; a flood of
 * wrong keys costs one stat each.
 *
 * <p>A new key set replaces the old one in one atomic reference swap: a request sees either the old
 * set or the new one, never a half-read file, and requests already past the check are not affected.
 * A file that is missing or does not parse keeps the old keys serving (logged and counted once per
 * bad content).
 */
public final class ApiKeyFile implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFile.class);

  private final Path file;
  private final AtomicReference<ApiKeys> keys = new AtomicReference<>();
  private final Counter reloaded;
  private final Counter failed;
  private byte[] seen;
  private volatile Stamp stamp;
  private ScheduledExecutorService poller;

  /** Reads the file now; a missing or bad file is a configuration error. */
  public ApiKeyFile(Path file, MeterRegistry registry) {
    this.file = file;
    byte[] bytes;
    try {
      stamp = Stamp.of(file);
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException("auth.apiKeysFile: cannot read " + file + ": " + e);
    }
    try {
      keys.set(ApiKeys.parse(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("auth.apiKeysFile: " + file + ": " + e.getMessage());
    }
    seen = sha256(bytes);
    if (keys.get().size() == 0) {
      LOG.warn("{} holds no API keys: every protected request gets 401", file);
    }
    reloaded = reloads(registry, "ok");
    failed = reloads(registry, "failed");
  }

  public ApiKeys current() {
    return keys.get();
  }

  /** The id of a presented key, or null; see the class comment for the re-check on a miss. */
  public String identify(String presented) {
    String id = keys.get().identify(presented);
    if (id == null && presented != null && !presented.isEmpty() && changedOnDisk()) {
      check();
      id = keys.get().identify(presented);
    }
    return id;
  }

  private boolean changedOnDisk() {
    try {
      return !Stamp.of(file).equals(stamp);
    } catch (IOException e) {
      return false;
    }
  }

  /** Starts polling the file every {@code interval} on a daemon thread. */
  public ApiKeyFile watch(Duration interval) {
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "api-keys-reload");
              t.setDaemon(true);
              return t;
            });
    long ms = interval.toMillis();
    poller.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Re-reads the file; swaps the key set in if the content changed and parses. */
  synchronized void check() {
    byte[] bytes;
    try {
      stamp = Stamp.of(file);
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      return; // mid-swap or briefly unmounted: keep serving the keys we have, try again next tick
    }
    byte[] h = sha256(bytes);
    if (Arrays.equals(h, seen)) {
      return;
    }
    seen = h;
    try {
      ApiKeys next = ApiKeys.parse(new String(bytes, StandardCharsets.UTF_8));
      keys.set(next);
      reloaded.increment();
      LOG.info("API keys reloaded from {}: {} key(s)", file, next.size());
    } catch (IllegalArgumentException e) {
      failed.increment();
      LOG.error(
          "API keys file {} changed but is invalid, keeping the old keys: {}",
          file,
          e.getMessage());
    }
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  /** What a stat says about the file behind the symlinks; changes when the file is replaced. */
  private record Stamp(FileTime modified, long size, Object fileKey) {
    static Stamp of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
    }
  }

  private static Counter reloads(MeterRegistry registry, String result) {
    return Counter.builder("starling.api.keys.reloads")
        .description("Changes of the API keys file applied (ok) or rejected (failed)")
        .tag("result", result)
        .register(registry);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
