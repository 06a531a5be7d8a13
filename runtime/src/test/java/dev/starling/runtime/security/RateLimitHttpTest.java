package dev.starling.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.AuthConfig;
import dev.starling.runtime.config.RateLimitConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.drift.PrometheusText;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token buckets over real HTTP: per API key, 429 with Retry-After, neighbours unaffected. */
class RateLimitHttpTest {
  static final String GREEDY = "k-greedy-0123456789abcdef";
  static final String POLITE = "k-polite-0123456789abcdef";

  @TempDir Path dir;

  @Test
  void aClientOverItsRateGets429WhileAnotherKeyIsServedInTheSameSecond() throws Exception {
    Path keys = dir.resolve("keys");
    Files.writeString(keys, "greedy:" + GREEDY + "\npolite:" + POLITE + "\n");
    RuntimeConfig cfg =
        new RuntimeConfig(null, null, null, null, null)
            .withAuth(new AuthConfig(keys.toString(), false, Duration.ofSeconds(1)))
            .withRateLimit(new RateLimitConfig(1.0, 5, null));
    try (TestingServer s = TestingServer.samples(cfg)) {
      String body = Samples.file("iris.request.json");
      long t0 = System.nanoTime();
      List<HttpResponse<String>> greedy = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        greedy.add(s.send(infer(s, GREEDY, body)));
      }
      List<HttpResponse<String>> polite = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        polite.add(s.send(infer(s, POLITE, body)));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;

      long served = greedy.stream().filter(r -> r.statusCode() == 200).count();
      List<HttpResponse<String>> limited =
          greedy.stream().filter(r -> r.statusCode() == 429).toList();
      assertThat(served + limited.size()).isEqualTo(20);
      // burst 5, then 1 token per second of the run
      assertThat(served).isBetween(5L, 5L + (long) Math.ceil(seconds));
      assertThat(greedy.subList(0, 5)).allMatch(r -> r.statusCode() == 200);
      for (HttpResponse<String> r : limited) {
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.body()).startsWith("{\"error\":\"rate limit exceeded");
      }
      assertThat(polite).allMatch(r -> r.statusCode() == 200);
      assertThat(
              PrometheusText.count(
                  s.get("/metrics").body(),
                  "starling_rejected_requests_total",
                  Map.of("model", "iris", "reason", "rate_limit")))
          .isEqualTo(limited.size());
      assertThat(s.get("/v2/health/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withoutAuthTheClientAddressIsLimitedAndRetryAfterCoversTheWait() {
    RuntimeConfig cfg =
        new RuntimeConfig(null, null, null, null, null)
            .withRateLimit(new RateLimitConfig(0.25, 2, null));
    try (TestingServer s = TestingServer.samples(cfg)) {
      assertThat(s.get("/v2/models/iris").statusCode()).isEqualTo(200);
      assertThat(s.get("/v2/models/iris").statusCode()).isEqualTo(200);
      HttpResponse<String> third = s.get("/v2/models/iris");
      assertThat(third.statusCode()).isEqualTo(429);
      // one token every 4 s: the wait is 3..4 s, rounded up
      assertThat(third.headers().firstValue("Retry-After"))
          .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(3, 4));
      assertThat(s.get("/v2/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aFloodOfDistinctClientsKeepsAtMostMaxClientsBuckets() {
    RateLimiter limiter = new RateLimiter(new RateLimitConfig(10.0, 10, 1_000));
    for (int i = 0; i < 100_000; i++) {
      limiter.tryAcquire("ip:10.0." + (i >> 8) + "." + (i & 255));
    }
    assertThat(limiter.clients()).isLessThanOrEqualTo(1_000);
    assertThat(limiter.tryAcquire("ip:192.0.2.1")).isZero();
  }

  @Test
  void bucketsAreSeparatePerClient() {
    RateLimiter limiter = new RateLimiter(new RateLimitConfig(1.0, 2, null));
    assertThat(limiter.tryAcquire("key:a")).isZero();
    assertThat(limiter.tryAcquire("key:a")).isZero();
    assertThat(limiter.tryAcquire("key:a")).isPositive().isLessThanOrEqualTo(1_000_000_000L);
    assertThat(limiter.tryAcquire("key:b")).isZero();
  }

  static HttpRequest infer(TestingServer s, String key, String body) {
    return HttpRequest.newBuilder(URI.create(s.url("/v2/models/iris/infer")))
        .header("Content-Type", "application/json")
        .header("x-api-key", key)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
