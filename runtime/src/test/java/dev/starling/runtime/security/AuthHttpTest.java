package dev.starling.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.AuthConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.drift.PrometheusText;
import dev.starling.runtime.testing.LostAnswers;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** API keys over real HTTP: who gets in, who gets 401, and what stays open. */
class AuthHttpTest {
  static final String ALICE = "k-alice-0123456789abcdef";
  static final String UNAUTHORIZED = "{\"error\":\"missing or invalid API key\"}";

  @TempDir static Path dir;
  static TestingServer server;
  static String irisBody;

  @BeforeAll
  static void start() throws Exception {
    Path keys = dir.resolve("api-keys");
    Files.writeString(keys, "# test keys\nalice:" + ALICE + "\nbob:k-bob-aaaaaaaaaaaaaaaaaa\n");
    server = TestingServer.samples(secured(keys, false));
    irisBody = Samples.file("iris.request.json");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static RuntimeConfig secured(Path keys, boolean protectMetrics) {
    return new RuntimeConfig(null, null, null, null, null)
        .withAuth(new AuthConfig(keys.toString(), protectMetrics, Duration.ofMillis(100)));
  }

  /** Every way of not presenting alice's key. */
  static final List<Map<String, String>> WRONG =
      List.of(
          Map.of(),
          Map.of("x-api-key", "k-alice-0123456789abcdeX"),
          Map.of("x-api-key", ""),
          Map.of("x-api-key", "alice"),
          Map.of("x-api-key", ALICE.substring(0, ALICE.length() - 1)),
          Map.of("x-api-key", ALICE + "0"),
          Map.of("Authorization", "Bearer wrong-wrong-wrong-wrong"),
          Map.of("Authorization", "Bearer "),
          Map.of("Authorization", "Basic " + ALICE),
          Map.of("Authorization", ALICE),
          Map.of("api-key", ALICE));

  @Test
  void tenThousandRequestsWithWrongOrMissingKeysAllGet401() throws Exception {
    double before = rejectedAuth();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    LostAnswers lost = new LostAnswers();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 2_500; i++) {
                  Map<String, String> headers = WRONG.get((thread * 2_500 + i) % WRONG.size());
                  HttpResponse<String> r = lost.send(client, infer(headers));
                  String outcome =
                      r.statusCode()
                          + " "
                          + r.headers().firstValue("WWW-Authenticate").orElse("-")
                          + " "
                          + r.body();
                  outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(3, TimeUnit.MINUTES);
    }
    pool.shutdown();
    assertThat(outcomes).containsOnlyKeys("401 Bearer " + UNAUTHORIZED);
    assertThat(outcomes.get("401 Bearer " + UNAUTHORIZED).get()).isEqualTo(10_000);
    // the server answered every request it got with a 401, a resent one twice
    assertThat(rejectedAuth() - before).isEqualTo(10_000 + lost.resent());
    assertThat(lost.resent()).as("answers the client lost").isLessThan(10);
  }

  @Test
  void theRightKeyInEitherHeaderIsServed() {
    for (Map<String, String> h :
        List.of(
            Map.of("x-api-key", ALICE),
            Map.of("Authorization", "Bearer " + ALICE),
            Map.of("Authorization", "bearer " + ALICE))) {
      HttpResponse<String> r = server.send(infer(h));
      assertThat(r.statusCode()).as("%s", h).isEqualTo(200);
      assertThat(r.body()).contains("\"model_name\":\"iris\"");
    }
    HttpRequest v1 =
        request("/v1/models/iris:predict", Map.of("x-api-key", ALICE))
            .POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[[5.1,3.5,1.4,0.2]]}"))
            .build();
    assertThat(server.send(v1).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/health/live", "/v2/health/ready", "/metrics"})
  void healthAndMetricsAreOpenWithoutAKey(String path) {
    assertThat(server.get(path).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2",
        "/v2/models/iris",
        "/v2/models/iris/ready",
        "/v2/models/iris/versions/1",
        "/v1/models/iris",
        "/openapi.json",
        "/docs",
        "/v2/models/no-such-model"
      })
  void metadataAndDocsNeedAKeyLikeInference(String path) {
    HttpResponse<String> open = server.get(path);
    assertThat(open.statusCode()).isEqualTo(401);
    assertThat(open.body()).isEqualTo(UNAUTHORIZED);
    HttpResponse<String> withKey =
        server.send(request(path, Map.of("x-api-key", ALICE)).GET().build());
    assertThat(withKey.statusCode()).isIn(200, 404);
  }

  @Test
  void unknownModelsAreNotRevealedWithoutAKey() {
    HttpResponse<String> r =
        server.send(
            request("/v2/models/secret-model/infer", Map.of())
                .POST(HttpRequest.BodyPublishers.ofString(irisBody))
                .build());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORIZED);
  }

  @Test
  void protectMetricsClosesMetricsToo() throws Exception {
    Path keys = dir.resolve("api-keys-metrics");
    Files.writeString(keys, "ops:k-ops-0123456789abcdef\n");
    try (TestingServer s = TestingServer.samples(secured(keys, true))) {
      assertThat(s.get("/metrics").statusCode()).isEqualTo(401);
      assertThat(s.get("/v2/health/ready").statusCode()).isEqualTo(200);
      HttpRequest withKey =
          HttpRequest.newBuilder(URI.create(s.url("/metrics")))
              .header("Authorization", "Bearer k-ops-0123456789abcdef")
              .build();
      assertThat(s.send(withKey).statusCode()).isEqualTo(200);
    }
  }

  static double rejectedAuth() {
    return PrometheusText.count(
        server.get("/metrics").body(),
        "starling_rejected_requests_total",
        Map.of("model", "iris", "reason", "auth"));
  }

  static HttpRequest infer(Map<String, String> headers) {
    return request("/v2/models/iris/infer", headers)
        .POST(HttpRequest.BodyPublishers.ofString(irisBody))
        .build();
  }

  static HttpRequest.Builder request(String path, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url(path)))
            .header("Content-Type", "application/json");
    headers.forEach(b::header);
    return b;
  }
}
