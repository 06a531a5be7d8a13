package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batching through the real server: concurrent requests of different batch sizes get exactly the
 * answers the same server gives them one at a time with batching off.
 */
class BatchingHttpTest {
  static String mlpBody(Random r, int rows) {
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[");
    sb.append(rows).append(",64],\"data\":[");
    for (int i = 0; i < rows * 64; i++) {
      sb.append(i == 0 ? "" : ",").append((r.nextInt(2000) - 1000) / 500.0);
    }
    return sb.append("]}]}").toString();
  }

  /**
   * Configured batching (16 rows, 2 ms) and the default when nothing is configured (opportunistic:
   * requests queued for a permit are merged, no waiting): the answers are byte for byte those of a
   * server with batching off ({@code maxBatchSize: 1}), though fewer calls ran than requests (with
   * the default, only where the MLP's one-row call is long enough to queue for a permit).
   */
  @ParameterizedTest
  @MethodSource("batchedSettings")
  void concurrentBatchedAnswersEqualUnbatchedAnswers(BatchingConfig batching) throws Exception {
    Random r = new Random(7);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      bodies.add(mlpBody(r, 1 + r.nextInt(3)));
    }
    RuntimeConfig base = new RuntimeConfig(ServerConfig.defaults(), null, null, null, null);
    List<String> expected = new ArrayList<>();
    try (TestingServer plain =
        TestingServer.samples(base, m -> m.withBatching(BatchingConfig.off()))) {
      for (String b : bodies) {
        expected.add(plain.post("/v2/models/mlp/infer", b).body());
      }
    }
    try (TestingServer batched = TestingServer.samples(base, m -> m.withBatching(batching))) {
      var mlp = batched.models().get("mlp");
      // Merging needs requests that queue while ONNX Runtime is busy, which a fast CPU and a quiet
      // machine make rare (the MLP's one-row call is ~31 us on an AVX-512 EPYC): the whole run
      // repeats, every answer checked each time, until a batch formed (at most 10 runs).
      int sent = 0;
      double calls;
      do {
        assertThat(
                concurrentFailures(
                    batched,
                    bodies,
                    (i, res) -> res.statusCode() == 200 && res.body().equals(expected.get(i))))
            .isEmpty();
        sent += bodies.size();
        String metrics = batched.get("/metrics").body();
        double rows = value(metrics, "starling_batch_size_sum{model=\"mlp\",version=\"1\"}");
        calls = value(metrics, "starling_batch_size_count{model=\"mlp\",version=\"1\"}");
        assertThat(rows).as("every row ran").isGreaterThanOrEqualTo(sent);
      } while (mlp.maxBatchRows() > 1 && calls >= sent && sent < 10 * bodies.size());
      if (mlp.maxBatchRows() > 1) {
        assertThat(calls).as("fewer calls than requests: batches formed").isLessThan(sent);
      } else {
        // opportunistic batching left a model whose one-row call is too short to queue unbatched
        // (BatchSizingTest); then every request is exactly one call
        assertThat(mlp.model().batchSizing().tooShort())
            .as(mlp.model().batchSizing().describe())
            .isTrue();
        assertThat(calls).as("unbatched: one call per request").isEqualTo(sent);
      }
    }
  }

  /**
   * Posts every body to the MLP from 12 threads at once; returns the answers that fail {@code good}
   * (given the body's index), each as "index: status body".
   */
  static List<String> concurrentFailures(
      TestingServer server, List<String> bodies, BiPredicate<Integer, HttpResponse<String>> good)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(12);
    List<String> mismatches = new CopyOnWriteArrayList<>();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      int first = t;
      fs.add(
          pool.submit(
              () -> {
                for (int i = first; i < bodies.size(); i += 12) {
                  HttpResponse<String> res = server.post("/v2/models/mlp/infer", bodies.get(i));
                  if (!good.test(i, res)) {
                    mismatches.add(i + ": " + res.statusCode() + " " + res.body());
                  }
                }
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    return mismatches;
  }

  static Stream<BatchingConfig> batchedSettings() {
    return Stream.of(new BatchingConfig(16, Duration.ofMillis(2)), BatchingConfig.DEFAULT);
  }

  static double value(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series);
  }

  /**
   * A reloaded runtime.yaml that only turns batching on (same model source) applies in place: the
   * server keeps its session (no swap), measures its batch sizing then (it was loaded without), and
   * the next concurrent requests form batches; turned off again, every call is one request.
   */
  @Test
  void batchingChangedByAConfigReloadAppliesWithoutARestartOrSwap() throws Exception {
    RuntimeConfig base = new RuntimeConfig(ServerConfig.defaults(), null, null, null, null);
    try (TestingServer server =
        TestingServer.samples(base, m -> m.withBatching(BatchingConfig.off()))) {
      var mlp = server.models().get("mlp");
      var session = mlp.model();
      assertThat(session.batchSizing()).as("loaded with batching off: not measured").isNull();
      assertThat(concurrentCalls(server)).as("off: one call per request").isEqualTo(240);

      var on = mlp.config().withBatching(new BatchingConfig(16, Duration.ofMillis(2)));
      int swapped =
          server
              .models()
              .reload(
                  List.of(on),
                  new dev.starling.runtime.model.ModelFetcher(),
                  dev.starling.runtime.config.InferenceConfig.defaults());
      assertThat(swapped).isZero();
      assertThat(mlp.model()).as("same session").isSameAs(session);
      assertThat(session.batchSizing()).as("measured when batching was turned on").isNotNull();
      // batches form only where requests overlap at the server, which 12 client threads on 2
      // shared cores do not always give in one round (a CI run saw 240 calls for 240 requests)
      double calls = 240;
      for (int round = 0; round < 5 && calls >= 240; round++) {
        calls = concurrentCalls(server);
      }
      assertThat(calls).as("on: batches formed (in one of up to 5 rounds)").isLessThan(240);

      server
          .models()
          .reload(
              List.of(on.withBatching(BatchingConfig.off())),
              new dev.starling.runtime.model.ModelFetcher(),
              dev.starling.runtime.config.InferenceConfig.defaults());
      assertThat(concurrentCalls(server)).as("off again").isEqualTo(240);
    }
  }

  /** Sends 240 one-row mlp requests from 12 threads; returns the ONNX Runtime calls they took. */
  private static double concurrentCalls(TestingServer server) throws Exception {
    double callsBefore = calls(server);
    Random r = new Random(11);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      bodies.add(mlpBody(r, 1));
    }
    assertThat(concurrentFailures(server, bodies, (i, res) -> res.statusCode() == 200)).isEmpty();
    return calls(server) - callsBefore;
  }

  private static double calls(TestingServer server) {
    String series = "starling_batch_size_count{model=\"mlp\",version=\"1\"}";
    String metrics = server.get("/metrics").body();
    return metrics.contains(series + " ") ? value(metrics, series) : 0;
  }
}
