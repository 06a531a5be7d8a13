package dev.starling.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.runtime.config.AuthConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.drift.PrometheusText;
import dev.starling.runtime.testing.LostAnswers;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating the keys of a mounted Secret while clients keep calling: the file changes the way the
 * kubelet changes it (a new directory, then an atomic rename of the {@code ..data} symlink), the
 * server is never restarted, and no client request fails.
 */
class KeyRotationTest {
  static final String OLD = "k-old-0123456789abcdef";
  static final String NEW = "k-new-fedcba9876543210";

  @TempDir Path dir;
  int generation;

  @Test
  void aClientSwitchingToTheNewKeyRightAfterTheSwapIsNeverRefused() throws Exception {
    Path keys = mountSecret("app-2026-11:" + OLD + "\n");
    // Poll once an hour: only the re-check on an unknown key can notice the swap here.
    try (TestingServer s = TestingServer.samples(cfg(keys, Duration.ofHours(1)));
        Clients clients = new Clients(s, 1, OLD)) {
      clients.awaitRequests(50);
      publish("app-2026-12:" + NEW + "\n");
      clients.key = NEW;
      int afterSwap = clients.sent.get();
      clients.awaitRequests(afterSwap + 50);
      clients.close();

      assertThat(clients.failures).isEmpty();
      clients.assertServerAnsweredEveryRequest();
      assertThat(status(s, OLD)).isEqualTo(401);
      assertThat(status(s, NEW)).isEqualTo(200);
    }
  }

  @Test
  void overlappingRotationUnderConcurrentLoadFailsNoRequest() throws Exception {
    Path keys = mountSecret("app-2026-11:" + OLD + "\n");
    try (TestingServer s = TestingServer.samples(cfg(keys, Duration.ofMillis(100)));
        Clients clients = new Clients(s, 4, OLD)) {
      clients.awaitRequests(100);
      // 1. the new key joins the old one; wait for the poll to apply it
      publish("app-2026-11:" + OLD + "\napp-2026-12:" + NEW + "\n");
      awaitReloads(s, 1);
      int beforeSwitch = clients.sent.get();
      // 2. clients move to the new key
      clients.key = NEW;
      clients.awaitRequests(beforeSwitch + 100);
      // 3. a broken file is refused and the keys in force keep working
      publish("this is not a key file\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> metric(s, "starling_api_keys_reloads_total", "failed") >= 1);
      // 4. the old key leaves
      publish("app-2026-12:" + NEW + "\n");
      awaitReloads(s, 2);
      int afterRevoke = clients.sent.get();
      clients.awaitRequests(afterRevoke + 100);
      clients.close();

      assertThat(clients.failures).isEmpty();
      clients.assertServerAnsweredEveryRequest();
      assertThat(clients.sent.get()).isGreaterThan(afterRevoke + 100);
      assertThat(status(s, OLD)).isEqualTo(401);
      assertThat(status(s, NEW)).isEqualTo(200);
      assertThat(s.get("/metrics").body()).contains("starling_api_keys 1.0");
    }
  }

  /** The kubelet's layout: {@code keys -> ..data/keys}, {@code ..data -> ..<generation>}. */
  private Path mountSecret(String content) throws IOException {
    publish(content);
    Path keys = dir.resolve("api-keys");
    Files.createSymbolicLink(keys, Path.of("..data", "api-keys"));
    return keys;
  }

  private void publish(String content) throws IOException {
    Path gen = Files.createDirectory(dir.resolve("..2026_11_27_gen" + (++generation)));
    Files.writeString(gen.resolve("api-keys"), content);
    Path tmp = dir.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, gen.getFileName());
    Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
  }

  private static RuntimeConfig cfg(Path keys, Duration reload) {
    return new RuntimeConfig(null, null, null, null, null)
        .withAuth(new AuthConfig(keys.toString(), false, reload));
  }

  private static void awaitReloads(TestingServer s, int n) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(s, "starling_api_keys_reloads_total", "ok") >= n);
  }

  private static double metric(TestingServer s, String name, String result) {
    return PrometheusText.count(s.get("/metrics").body(), name, Map.of("result", result));
  }

  private static int status(TestingServer s, String key) {
    return s.send(Clients.infer(s, key)).statusCode();
  }

  /** Client threads calling iris in a loop with the key in {@link #key}, recording failures. */
  static final class Clients implements AutoCloseable {
    final TestingServer server;
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger sent = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final LostAnswers lost = new LostAnswers();
    final List<Thread> threads = new ArrayList<>();
    volatile String key;

    Clients(TestingServer server, int n, String firstKey) {
      this.server = server;
      this.key = firstKey;
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < n; i++) {
        Thread t =
            new Thread(
                () -> {
                  while (running.get()) {
                    String k = this.key;
                    try {
                      HttpResponse<String> r = lost.send(http, infer(server, k));
                      if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " with key " + k.substring(0, 6));
                      }
                    } catch (IOException e) {
                      failures.add(e.toString());
                    } catch (InterruptedException e) {
                      return;
                    }
                    sent.incrementAndGet();
                  }
                },
                "client-" + i);
        t.start();
        threads.add(t);
      }
    }

    /**
     * The server answered every request the clients sent with a 200, a resent one twice: its count
     * is what they sent plus what {@link LostAnswers} resent (counted just after the answer is
     * written, so the last few may lag a moment).
     */
    void assertServerAnsweredEveryRequest() {
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(
                          PrometheusText.count(
                              server.get("/metrics").body(),
                              "starling_requests_total",
                              Map.of("model", "iris", "status", "200")))
                      .isEqualTo(sent.get() + lost.resent()));
    }

    void awaitRequests(int n) {
      await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= n);
    }

    static HttpRequest infer(TestingServer s, String key) {
      return HttpRequest.newBuilder(URI.create(s.url("/v2/models/iris/infer")))
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + key)
          .POST(HttpRequest.BodyPublishers.ofString(Samples.file("iris.request.json")))
          .build();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }
}
