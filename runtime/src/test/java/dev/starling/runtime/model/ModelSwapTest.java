package dev.starling.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.config.SourceConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** In-place swap of a model's session while it serves. */
class ModelSwapTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}";

  static ModelConfig iris(String file) {
    ModelConfig m = TestingServer.sample("iris");
    return new ModelConfig(
        m.name(),
        m.version(),
        new SourceConfig(Samples.model(file).toUri().toString(), null),
        m.signature(),
        true);
  }

  @Test
  void swapUnderLoadLosesNoRequestAndSwitchesAnswers() throws Exception {
    try (TestingServer server =
        TestingServer.samples(new RuntimeConfig(ServerConfig.defaults(), null, null, null, null))) {
      OnnxModel old = server.models().get("iris").model();
      AtomicBoolean run = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger fromTree = new AtomicInteger();
      List<Thread> clients =
          java.util.stream.IntStream.range(0, 6)
              .mapToObj(
                  i ->
                      new Thread(
                          () -> {
                            for (int n = 0; n < 5000 && run.get(); n++) {
                              HttpResponse<String> r = server.post("/v2/models/iris/infer", BODY);
                              if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                                if (r.body().contains("[1.0,0.0,0.0]")) {
                                  fromTree.incrementAndGet();
                                }
                              } else {
                                failed.incrementAndGet();
                              }
                            }
                          }))
              .toList();
      clients.forEach(Thread::start);
      Thread.sleep(300);
      int swapped =
          server
              .models()
              .reload(List.of(iris("iris_tree")), new ModelFetcher(), InferenceConfig.defaults());
      Thread.sleep(300);
      run.set(false);
      for (Thread t : clients) {
        t.join();
      }
      assertThat(swapped).isEqualTo(1);
      assertThat(failed.get()).as("failed requests").isZero();
      assertThat(ok.get()).isGreaterThan(0);
      assertThat(fromTree.get()).as("answers from the new model").isGreaterThan(0);
      assertThat(server.post("/v2/models/iris/infer", BODY).body()).contains("[1.0,0.0,0.0]");
      assertThat(old.closed()).as("old session closed once its requests finished").isTrue();
      assertThat(server.models().get("iris").ready()).isTrue();
    }
  }

  @Test
  void aFailingReplacementLeavesTheOldModelServing(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path broken = dir.resolve("broken.onnx");
    Files.writeString(broken, "not an onnx model");
    try (TestingServer server =
        TestingServer.samples(new RuntimeConfig(ServerConfig.defaults(), null, null, null, null))) {
      String before = server.post("/v2/models/iris/infer", BODY).body();
      ModelConfig bad =
          new ModelConfig(
              "iris", "1", new SourceConfig(broken.toUri().toString(), null), null, true);
      int swapped =
          server.models().reload(List.of(bad), new ModelFetcher(), InferenceConfig.defaults());
      assertThat(swapped).isZero();
      assertThat(server.get("/v2/health/ready").statusCode()).isEqualTo(200);
      assertThat(server.post("/v2/models/iris/infer", BODY).body()).isEqualTo(before);
      assertThat(server.models().get("iris").failure()).contains("broken.onnx");
      assertThat(server.get("/metrics").body())
          .contains(
              "starling_model_swaps_total{model=\"iris\",result=\"failed\",version=\"1\"} 1.0");
    }
  }

  @Test
  void twentySwapsCloseEverySessionAndNativeMemoryComesBack() throws Exception {
    try (TestingServer server =
        TestingServer.samples(new RuntimeConfig(ServerConfig.defaults(), null, null, null, null))) {
      ServedModel heavy = server.models().get("heavy");
      ModelConfig base = heavy.config();
      String body = Samples.file("heavy.request.json");
      List<OnnxModel> sessions = new java.util.ArrayList<>();
      long rssAfterFirst = 0;
      for (int i = 0; i < 20; i++) {
        // Alternate between two paths to the same file so every round is a real swap.
        Path copy = Files.createTempFile("heavy-" + i, ".onnx");
        Files.copy(Samples.model("heavy"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelConfig next =
            new ModelConfig(
                base.name(),
                base.version(),
                new SourceConfig(copy.toUri().toString(), null),
                null,
                true);
        sessions.add(heavy.model());
        assertThat(
                server
                    .models()
                    .reload(List.of(next), new ModelFetcher(), InferenceConfig.defaults()))
            .isEqualTo(1);
        assertThat(server.post("/v2/models/heavy/infer", body).statusCode()).isEqualTo(200);
        Files.delete(copy);
        if (i == 1) {
          rssAfterFirst = rssBytes();
        }
      }
      assertThat(sessions).allSatisfy(s -> assertThat(s.closed()).isTrue());
      long growth = rssBytes() - rssAfterFirst;
      assertThat(growth).as("RSS growth over 18 more swaps, bytes").isLessThan(64L * 1024 * 1024);
    }
  }

  static long rssBytes() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }
}
