package dev.starling.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.ConfigLoader;
import dev.starling.runtime.config.ConfigValidator;
import dev.starling.runtime.model.ModelFetcher;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running server takes cache, auth, rate-limit and in-flight changes from its rewritten
 * runtime.yaml (through the same {@link ConfigWatcher} {@code serve} runs), without a restart and
 * without failing a request that clients keep sending while the settings change.
 */
class LiveReloadHttpTest {
  static final String KEY = "k-live-0123456789abcdef";
  static final String IRIS = Samples.file("iris.request.json");

  @TempDir Path dir;

  @Test
  void cacheAuthRateLimitAndInflightChangesApplyWithoutARestart() throws Exception {
    Path keys = dir.resolve("api-keys");
    Files.writeString(keys, "ops:" + KEY + "\n");
    Path file = dir.resolve("runtime.yaml");
    write(file, "", "", 1024);
    try (TestingServer s = TestingServer.start(ConfigValidator.validate(ConfigLoader.load(file)))) {
      ConfigWatcher watcher =
          new ConfigWatcher(
              file,
              () -> ConfigLoader.load(file),
              s.models(),
              new ModelFetcher(),
              s.live(),
              Duration.ofHours(1));
      assertThat(s.models().get("iris").cache()).isNull();
      assertThat(status(s, "/metrics", null)).isEqualTo(200);

      // 1. Cache, auth (with protected metrics) and a generous rate limit on, under load.
      try (Load load = new Load(s, 4)) {
        load.awaitRequests(40);
        write(
            file,
            "    cache: {maxEntries: 100, ttl: 10m}\n",
            "auth: {apiKeysFile: "
                + keys
                + ", protectMetrics: true}\n"
                + "rateLimit: {requestsPerSecond: 100000, burst: 100000}\n",
            1024);
        assertThat(watcher.check()).isZero(); // nothing swapped: same model
        load.awaitRequests(load.sent() + 40);
        load.close();
        assertThat(load.failures).isEmpty();
      }
      assertThat(status(s, "/v2/models/iris/infer", null)).isEqualTo(401);
      assertThat(status(s, "/metrics", null)).isEqualTo(401);
      double hits = hits(s);
      assertThat(status(s, "/v2/models/iris/infer", KEY)).isEqualTo(200);
      assertThat(status(s, "/v2/models/iris/infer", KEY)).isEqualTo(200);
      assertThat(hits(s) - hits).isGreaterThanOrEqualTo(2.0);
      assertThat(metrics(s)).contains("starling_api_keys 1.0");

      // 2. A tight rate limit, a one-entry cache and one request in flight at most.
      write(
          file,
          "    cache: {maxEntries: 1, ttl: 10m}\n",
          "auth: {apiKeysFile: "
              + keys
              + ", protectMetrics: true}\n"
              + "rateLimit: {requestsPerSecond: 0.1, burst: 2}\n",
          1);
      watcher.check();
      List<Integer> codes = new ArrayList<>();
      HttpResponse<String> third = null;
      for (int i = 0; i < 3; i++) {
        third = s.send(infer(s, distinct(i), KEY));
        codes.add(third.statusCode());
      }
      assertThat(codes).containsExactly(200, 200, 429);
      assertThat(third.headers().firstValue("Retry-After")).isPresent();
      assertThat(s.models().get("iris").cache().size()).isLessThanOrEqualTo(1);

      // 3. Rate limit off, in-flight bound 1: concurrent clients meet fast 503s naming it.
      write(
          file, "    cache: {maxEntries: 1, ttl: 10m}\n", "auth: {apiKeysFile: " + keys + "}\n", 1);
      watcher.check();
      Map<Integer, AtomicInteger> byStatus = burst(s, 16, 40);
      assertThat(byStatus).containsKey(503).doesNotContainKey(429);
      assertThat(status(s, "/metrics", null)).isEqualTo(200); // protectMetrics off again

      // 4. The bound back to 1024, then everything off under load: no request fails.
      write(
          file,
          "    cache: {maxEntries: 1, ttl: 10m}\n",
          "auth: {apiKeysFile: " + keys + "}\n",
          1024);
      watcher.check();
      try (Load load = new Load(s, 4)) {
        load.awaitRequests(40);
        write(file, "", "", 1024);
        watcher.check();
        load.awaitRequests(load.sent() + 40);
        load.close();
        assertThat(load.failures).isEmpty();
      }
      assertThat(status(s, "/v2/models/iris/infer", null)).isEqualTo(200);
      assertThat(s.models().get("iris").cache()).isNull();
      assertThat(burst(s, 16, 40)).containsOnlyKeys(200);
    }
  }

  /** runtime.yaml with iris, the model's extra lines and the top-level sections given. */
  private static void write(Path file, String modelExtra, String topLevel, int maxInflight)
      throws Exception {
    String yaml =
        "server: {host: 127.0.0.1, port: 0}\n"
            + "inference: {maxInflight: "
            + maxInflight
            + "}\n"
            + "models:\n"
            + "  - name: iris\n"
            + "    source: {uri: "
            + Samples.model("iris").toUri()
            + "}\n"
            + modelExtra
            + topLevel;
    Path tmp = file.resolveSibling("runtime.yaml.tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String distinct(int i) {
    return "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\","
        + "\"data\":[5."
        + i
        + ",3.5,1.4,0.2]}]}";
  }

  static HttpRequest infer(TestingServer s, String body, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.url("/v2/models/iris/infer")))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("x-api-key", key);
    }
    return b.build();
  }

  private static int status(TestingServer s, String path, String key) {
    if (path.endsWith("/infer")) {
      return s.send(infer(s, IRIS, key)).statusCode();
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url(path))).GET();
    if (key != null) {
      b.header("x-api-key", key);
    }
    return s.send(b.build()).statusCode();
  }

  private static String metrics(TestingServer s) {
    return s.send(
            HttpRequest.newBuilder(URI.create(s.url("/metrics"))).header("x-api-key", KEY).build())
        .body();
  }

  private static double hits(TestingServer s) {
    String series =
        "cache_gets_total{cache=\"starling.predictions\",model=\"iris\",result=\"hit\",version=\"1\"}";
    for (String line : metrics(s).split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series);
  }

  /** {@code threads} clients at once, {@code each} requests apiece; answers counted by status. */
  private static Map<Integer, AtomicInteger> burst(TestingServer s, int threads, int each)
      throws Exception {
    Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < each; i++) {
                  int code = s.send(infer(s, IRIS, KEY)).statusCode();
                  byStatus.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                }
              });
      th.start();
      ts.add(th);
    }
    go.countDown();
    for (Thread th : ts) {
      th.join();
    }
    return byStatus;
  }

  /** Clients calling iris with the key in a loop; every answer that is not a 200 is recorded. */
  static final class Load implements AutoCloseable {
    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    Load(TestingServer s, int clients) {
      for (int i = 0; i < clients; i++) {
        Thread t =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    try {
                      HttpResponse<String> r = s.send(infer(s, IRIS, KEY));
                      if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                    } catch (RuntimeException e) {
                      failures.add(e.toString());
                    }
                    sent.incrementAndGet();
                  }
                });
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    int sent() {
      return sent.get();
    }

    void awaitRequests(int n) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (sent.get() < n && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(sent.get()).as("requests sent").isGreaterThanOrEqualTo(n);
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
