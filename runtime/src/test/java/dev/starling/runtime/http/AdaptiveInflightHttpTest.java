package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import io.micrometer.core.instrument.Gauge;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code inference.inflightLimit: adaptive} over HTTP with the real compute-heavy sample model: 24
 * clients at once, two inference permits, a fixed bound of 64. The fixed bound alone admits all 24
 * (they queue for the permits, each answer waiting for up to 11 others'); the adaptive limit starts
 * at the permits and grows only while latency holds, so most of the 24 are shed at once with the
 * overload 503, and every admitted answer is the model's own.
 */
class AdaptiveInflightHttpTest {
  private static final String HEAVY = "/v2/models/heavy/infer";
  private static final int CLIENTS = 24;
  private static TestingServer server;
  private static String body;
  private static String answer;

  @BeforeAll
  static void start() {
    RuntimeConfig base =
        new RuntimeConfig(ServerConfig.defaults(), null, null, null, null)
            .withInference(new InferenceConfig(null, 2, 64, null, InferenceConfig.ADAPTIVE));
    server = TestingServer.samples(base);
    body = Samples.file("heavy.request.json");
    answer = server.post(HEAVY, body).body();
    assertThat(answer).contains("\"model_name\":\"heavy\"");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theAdaptiveLimitShedsWhatTheFixedBoundWouldQueue() throws Exception {
    Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    List<String> wrong = Collections.synchronizedList(new ArrayList<>());
    burst(byStatus, wrong);
    assertThat(wrong).isEmpty();
    assertThat(byStatus).containsKeys(200, 503);
    assertThat(byStatus.keySet()).containsOnly(200, 503);
    assertThat(limitGauge()).isBetween(1.0, (double) CLIENTS - 1);

    // the same burst under the fixed bound: nothing shed (64 places for 24 clients)
    server
        .live()
        .apply(
            server
                .live()
                .get()
                .withInference(new InferenceConfig(null, 2, 64, null, InferenceConfig.FIXED)));
    try {
      Map<Integer, AtomicInteger> fixed = new ConcurrentHashMap<>();
      burst(fixed, wrong);
      assertThat(wrong).isEmpty();
      assertThat(fixed.keySet()).containsOnly(200);
    } finally {
      server.live().apply(server.live().get().withInference(base()));
    }
  }

  private static InferenceConfig base() {
    return new InferenceConfig(null, 2, 64, null, InferenceConfig.ADAPTIVE);
  }

  /** {@link #CLIENTS} clients x 20 requests each; answers counted by status, wrong ones kept. */
  private static void burst(Map<Integer, AtomicInteger> byStatus, List<String> wrong)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = server.post(HEAVY, body);
                    byStatus
                        .computeIfAbsent(r.statusCode(), k -> new AtomicInteger())
                        .incrementAndGet();
                    boolean ok =
                        r.statusCode() == 200
                            ? r.body().equals(answer)
                            : r.statusCode() == 503
                                && r.headers().firstValue("retry-after").orElse("").equals("1")
                                && r.body().startsWith("{\"error\":")
                                && r.body().contains("model 'heavy' is overloaded");
                    if (!ok) {
                      wrong.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : clients) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static double limitGauge() {
    Gauge g =
        server.metrics().registry().find("starling.inflight.limit").tags("model", "heavy").gauge();
    assertThat(g).as("starling_inflight_limit of heavy").isNotNull();
    return g.value();
  }
}
