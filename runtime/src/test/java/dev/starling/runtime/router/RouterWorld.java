package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.http.StarlingApp;
import dev.starling.runtime.testing.RuntimeProcess;
import dev.starling.runtime.testing.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The router integration tests' world on loopback: real runtime processes (the jar, serving model
 * {@code m} at a given version), a real router process in front of them, a JDK HTTP client, and a
 * bounded load loop. Everything started here is stopped by {@link #close()}.
 */
final class RouterWorld implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern MODEL_VERSION = Pattern.compile("\"model_version\":\"([^\"]+)\"");
  private static final Pattern GENERATION = Pattern.compile("\"generation\":(\\d+)");

  private final Path dir;
  private final List<AutoCloseable> started = new ArrayList<>();

  RouterWorld(Path dir) {
    this.dir = dir;
  }

  /** A runtime serving {@code model} as model {@code m}, version {@code version}. */
  RuntimeProcess runtime(String version, Path model) {
    Path home = dir.resolve("runtime-" + version);
    write(
        home.resolve("runtime.yaml"),
        """
        inference: {maxConcurrent: 2}
        models:
          - name: m
            version: %s
            source: {uri: '%s'}
        """
            .formatted(version, model.toAbsolutePath()));
    RuntimeProcess p = RuntimeProcess.serve(home.resolve("runtime.yaml"), READY_TIMEOUT);
    log("runtime %s ready on port %d", version, p.port());
    synchronized (started) {
      started.add(p);
    }
    return p;
  }

  /** Starts the runtimes at once (startup dominates the suite's time on two cores). */
  List<RuntimeProcess> runtimes(String... versionsAndModels) {
    List<CompletableFuture<RuntimeProcess>> all = new ArrayList<>();
    for (int i = 0; i < versionsAndModels.length; i += 2) {
      String v = versionsAndModels[i];
      Path model = Path.of(versionsAndModels[i + 1]);
      all.add(CompletableFuture.supplyAsync(() -> runtime(v, model)));
    }
    return all.stream().map(CompletableFuture::join).toList();
  }

  static String iris() {
    return Samples.model("iris").toString();
  }

  /** A router process on a free port with {@code yaml} (server.host/port are added). */
  Router router(String yaml) {
    return router(yaml, List.of());
  }

  /** As {@link #router(String)}, with JVM options for the router process. */
  Router router(String yaml, List<String> jvmOptions) {
    Path home = dir.resolve("router");
    Path config = home.resolve("router.yaml");
    write(config, withServer(yaml));
    RuntimeProcess p =
        RuntimeProcess.start(
            jvmOptions,
            List.of("router", "--config", config.toString(), "--log-format", "text"),
            home.resolve("router.log"),
            READY_TIMEOUT);
    started.add(p);
    log("router ready on port %d", p.port());
    return new Router(p, config);
  }

  private static String withServer(String yaml) {
    return "server: {host: 127.0.0.1, port: 0}\nreloadInterval: 200ms\n" + yaml;
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // keep stopping the rest
      }
    }
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An iris OIP v2 request for one row. */
  static String irisRow(double sl, double sw, double pl, double pw) {
    return "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":["
        + sl
        + ","
        + sw
        + ","
        + pl
        + ","
        + pw
        + "]}]}";
  }

  static final String IRIS_REQUEST = irisRow(5.1, 3.5, 1.4, 0.2);

  /** One request to send: path, JSON body, extra headers as name/value pairs. */
  record Call(int port, String path, String body, String... headers) {}

  /** One answer as the caller saw it; status -1 when the connection failed. */
  record Reply(
      int index,
      int status,
      String servedBy,
      String routedTo,
      String contentType,
      String body,
      long startNanos,
      long nanos) {
    String modelVersion() {
      Matcher m = MODEL_VERSION.matcher(body);
      return m.find() ? m.group(1) : null;
    }

    boolean jsonError() {
      return contentType != null
          && contentType.startsWith("application/json")
          && body.startsWith("{\"error\":");
    }
  }

  static Reply send(Call call) {
    try (LoopbackClient c = new LoopbackClient(call.port(), 60_000)) {
      return send(c, call, -1);
    }
  }

  static Reply send(LoopbackClient client, Call call, int index) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    for (int i = 0; i < call.headers().length; i += 2) {
      headers.put(call.headers()[i], call.headers()[i + 1]);
    }
    byte[] body = call.body() == null ? new byte[0] : call.body().getBytes(StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    try {
      LoopbackClient.Response r =
          client.exchange(call.body() == null ? "GET" : "POST", call.path(), headers, body);
      return new Reply(
          index,
          r.status(),
          r.headers().get(StarlingApp.SERVED_BY),
          r.headers().get(ProxyExchange.ROUTED_TO),
          r.headers().get("content-type"),
          r.body(),
          t0,
          System.nanoTime() - t0);
    } catch (IOException e) {
      return new Reply(index, -1, null, null, null, e.toString(), t0, System.nanoTime() - t0);
    }
  }

  /**
   * Sends up to {@code count} requests from {@code threads} threads (one keep-alive connection
   * each), for at most {@code maxTime} or until {@code stop} says so; request {@code i} is {@code
   * call.apply(i)}.
   */
  static List<Reply> load(
      int threads, int count, Duration maxTime, IntFunction<Call> call, BooleanSupplier stop) {
    Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    AtomicInteger next = new AtomicInteger();
    long deadline = System.nanoTime() + maxTime.toNanos();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                LoopbackClient client = null;
                try {
                  int i;
                  while ((i = next.getAndIncrement()) < count
                      && System.nanoTime() < deadline
                      && !stop.getAsBoolean()) {
                    Call c = call.apply(i);
                    if (client == null) {
                      client = new LoopbackClient(c.port(), 60_000);
                    }
                    replies.add(send(client, c, i));
                  }
                } finally {
                  if (client != null) {
                    client.close();
                  }
                }
              },
              "load-" + t);
      th.start();
      all.add(th);
    }
    for (Thread th : all) {
      try {
        th.join(maxTime.toMillis() + 70_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      assertThat(th.isAlive()).as("load thread finished").isFalse();
    }
    return new ArrayList<>(replies);
  }

  static List<Reply> load(int threads, int count, IntFunction<Call> call) {
    return load(threads, count, Duration.ofSeconds(60), call, () -> false);
  }

  /** The router process with its config file. */
  static final class Router {
    final RuntimeProcess process;
    private final Path config;

    Router(RuntimeProcess process, Path config) {
      this.process = process;
      this.config = config;
    }

    String url(String path) {
      return process.url(path);
    }

    Call infer(String body, String... headers) {
      return new Call(process.port(), "/v2/models/m/infer", body, headers);
    }

    String status() {
      return send(new Call(process.port(), "/router/status", null)).body();
    }

    long generation() {
      Matcher m = GENERATION.matcher(status());
      assertThat(m.find()).as("generation in /router/status").isTrue();
      return Long.parseLong(m.group(1));
    }

    /** Rewrites router.yaml (atomically, as a ConfigMap update does) and waits until applied. */
    void reconfigure(String yaml) {
      String text = withServer(yaml);
      try {
        if (Files.readString(config).equals(text)) {
          return; // already in effect (an unchanged file is not reloaded)
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      long before = generation();
      write(config, text);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (generation() <= before) {
        assertThat(System.nanoTime())
            .as("reload within 20 s:\n" + process.log())
            .isLessThan(deadline);
        sleep(20);
      }
    }

    /** Waits until the router has seen every one of {@code urls} pass a health check. */
    void awaitReady(String... urls) {
      for (String url : urls) {
        awaitStatus("\"url\":\"" + url + "\",\"ready\":true");
      }
    }

    /** Waits until {@code /router/status} contains {@code text}. */
    void awaitStatus(String text) {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!status().contains(text)) {
        assertThat(System.nanoTime())
            .as("status to contain " + text + ": " + status())
            .isLessThan(deadline);
        sleep(20);
      }
    }

    /** The value of one Prometheus sample, 0 if absent; {@code labels} as written in the text. */
    double metric(String name, String labels) {
      String text = send(new Call(process.port(), "/metrics", null)).body();
      for (String line : text.split("\n")) {
        if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
          String lbl =
              line.indexOf('{') > 0 ? line.substring(line.indexOf('{'), line.indexOf('}') + 1) : "";
          if (matches(lbl, labels)) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
      return 0;
    }

    private static boolean matches(String actual, String wanted) {
      for (String pair : wanted.split(",")) {
        if (!pair.isBlank() && !actual.contains(pair.trim())) {
          return false;
        }
      }
      return true;
    }
  }

  private static final long T0 = System.nanoTime();

  /** A progress line with the seconds since the suite started (shows where the time goes). */
  static void log(String format, Object... args) {
    System.out.printf(
        "[router-it %6.1fs] %s%n", (System.nanoTime() - T0) / 1e9, String.format(format, args));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
