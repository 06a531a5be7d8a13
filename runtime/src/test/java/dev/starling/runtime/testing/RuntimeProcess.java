package dev.starling.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real runtime jar as a child process on a free loopback port: started with {@code serve --port
 * 0}, the port read from its "listening on" log line, ready once {@code /v2/health/ready} answers
 * 200. Its output goes to a log file that failures quote.
 */
public final class RuntimeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

  private final Process process;
  private final Path log;
  private int port = -1;

  private RuntimeProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The jar Failsafe points at ({@code starling.runtimeJar}), else the module's build output. */
  public static Path jar() {
    String prop = System.getProperty("starling.runtimeJar");
    Path jar =
        prop != null
            ? Path.of(prop)
            : Samples.repoRoot().resolve("runtime/target/starling-runtime.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist; run mvn -f runtime/pom.xml package");
    }
    return jar;
  }

  /**
   * Starts {@code serve --config config --host 127.0.0.1 --port 0} and waits until it is ready. The
   * log goes next to the config file.
   */
  public static RuntimeProcess serve(Path config, Duration readyTimeout) {
    return start(
        List.of(
            "serve",
            "--config",
            config.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--log-format",
            "text"),
        config.resolveSibling("runtime.log"),
        readyTimeout);
  }

  /** Starts the jar with {@code args} (which must make it listen on 127.0.0.1), waits for ready. */
  public static RuntimeProcess start(List<String> args, Path log, Duration readyTimeout) {
    return start(List.of(), args, log, readyTimeout);
  }

  /** As {@link #start(List, Path, Duration)}, with JVM options ({@code -Dname=value}) first. */
  public static RuntimeProcess start(
      List<String> jvmOptions, List<String> args, Path log, Duration readyTimeout) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
    RuntimeProcess rp = new RuntimeProcess(p, log);
    try {
      rp.awaitReady(readyTimeout);
    } catch (RuntimeException | Error e) {
      rp.close();
      throw e;
    }
    return rp;
  }

  private void awaitReady(Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the runtime exited with " + process.exitValue() + " before it was ready:\n" + log());
      }
      if (port < 0) {
        Matcher m = LISTENING.matcher(log());
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      if (port > 0 && ready(client)) {
        return;
      }
      sleep(50);
    }
    throw new IllegalStateException("the runtime was not ready within " + timeout + ":\n" + log());
  }

  private boolean ready(HttpClient client) {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(url("/v2/health/ready")))
              .timeout(Duration.ofSeconds(2))
              .build();
      return client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet, or busy starting
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGTERM (what {@link Process#destroy()} does on Linux and macOS). */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** The exit code, or null if the process still runs after {@code timeout}. */
  public Integer awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Stops the process: SIGTERM, then SIGKILL if it is still there after 15 s. */
  public void stop() {
    if (!process.isAlive()) {
      return;
    }
    terminate();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
