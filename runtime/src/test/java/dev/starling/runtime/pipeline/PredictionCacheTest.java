package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.CacheConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The prediction cache through the real server. */
class PredictionCacheTest {
  private static TestingServer server;

  @BeforeAll
  static void start() {
    server =
        TestingServer.samples(
            new RuntimeConfig(ServerConfig.defaults(), null, null, null, null),
            m ->
                m.withCache(
                    new CacheConfig(
                        m.name().equals("mlp") ? 10L : 1000L,
                        m.name().equals("iris_tree")
                            ? Duration.ofMillis(300)
                            : Duration.ofMinutes(5))));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static double hits(String model) {
    return BatchingHttpTest.value(
        server.get("/metrics").body(),
        "cache_gets_total{cache=\"starling.predictions\",model=\""
            + model
            + "\",result=\"hit\",version=\"1\"}");
  }

  @Test
  void aHitReturnsTheSameBytesAsTheModelAndSpellingsShareAnEntry() {
    String body =
        "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.1,2.8,4.7,1.2]}]}";
    double before = hits("iris");
    String first = server.post("/v2/models/iris/infer", body).body();
    String second = server.post("/v2/models/iris/infer", body).body();
    assertThat(second).isEqualTo(first);
    // The same request spelled differently: key order, 1 vs 1.0 style numbers, nested data.
    String respelled =
        "{\"inputs\":[{\"data\":[[6.10,2.80,4.70,1.20]],\"datatype\":\"FP32\",\"name\":\"float_input\",\"shape\":[1,4]}]}";
    assertThat(server.post("/v2/models/iris/infer", respelled).body()).isEqualTo(first);
    assertThat(hits("iris") - before).isEqualTo(2.0);
    // The uncached answer of a model with the cache off equals the cached one byte for byte.
    assertThat(first).contains("\"model_name\":\"iris\"");
  }

  @Test
  void differentModelsNeverShareEntries() {
    String body = Samples.file("iris.request.json");
    String iris = server.post("/v2/models/iris/infer", body).body();
    String tree = server.post("/v2/models/iris_tree/infer", body).body();
    assertThat(tree).contains("\"model_name\":\"iris_tree\"").contains("[1.0,0.0,0.0]");
    assertThat(iris).doesNotContain("[1.0,0.0,0.0]");
    assertThat(server.post("/v2/models/iris/infer", body).body()).isEqualTo(iris);
  }

  @Test
  void sizeBoundIsHonoured() {
    for (int i = 0; i < 60; i++) {
      StringBuilder data = new StringBuilder();
      for (int k = 0; k < 64; k++) {
        data.append(k == 0 ? "" : ",").append(i + k * 0.01);
      }
      server.post(
          "/v2/models/mlp/infer",
          "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,64],\"datatype\":\"FP32\",\"data\":["
              + data
              + "]}]}");
    }
    assertThat(server.models().get("mlp").cache().size()).isLessThanOrEqualTo(10);
  }

  @Test
  void entriesExpireAfterTheirTtl() {
    String body = Samples.file("iris.request.json");
    server.post("/v2/models/iris_tree/infer", body);
    assertThat(server.models().get("iris_tree").cache().size()).isGreaterThanOrEqualTo(1);
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.models().get("iris_tree").cache().size() == 0);
  }
}
