package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code inference.niceness} as the kernel sees it: the nice values of this JVM's threads, read
 * from {@code /proc/self/task/TID/stat} after real requests over HTTP. Relative to the nice value
 * the test runs at (a build under {@code nice -n 10} starts everything at 10).
 */
@EnabledOnOs(OS.LINUX)
class InferenceNicenessTest {
  private static final String IRIS = "/v2/models/iris/infer";

  /** One thread of this process: its name as the kernel has it (15 chars at most) and nice. */
  record Task(int tid, String name, int nice) {}

  static List<Task> tasks() throws IOException {
    List<Task> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Path.of("/proc/self/task"))) {
      for (Path d : dirs.toList()) {
        int tid = Integer.parseInt(d.getFileName().toString());
        try {
          String name = Files.readString(d.resolve("comm")).strip();
          out.add(new Task(tid, name, Niceness.niceOf(tid)));
        } catch (IOException ended) {
          // the thread ended between the listing and the read
        }
      }
    }
    return out;
  }

  static List<Task> named(String prefix) throws IOException {
    return tasks().stream().filter(t -> t.name().startsWith(prefix)).toList();
  }

  static int base() throws IOException {
    return Niceness.niceOf(Niceness.currentThreadId());
  }

  private static TestingServer iris(InferenceConfig inference) {
    RuntimeConfig cfg =
        new RuntimeConfig(ServerConfig.defaults(), null, null, null, null)
            .withInference(inference)
            .withModels(List.of(TestingServer.sample("iris")))
            .withServer(ServerConfig.defaults().withHost("127.0.0.1").withPort(0));
    return TestingServer.start(cfg);
  }

  @Test
  void gatedInferencesRunOnThreadsLoweredByTheConfiguredNiceness() throws Exception {
    int base = base();
    int expected = Math.min(Niceness.MAX, base + 7);
    String body = Samples.file("iris.request.json");
    try (TestingServer server = iris(new InferenceConfig(null, 2, null, 7))) {
      // the first calls of a model are gated (its call time is not known yet): they run on the
      // inference threads, which exist only once a call was handed to them
      for (int i = 0; i < 4; i++) {
        assertThat(server.post(IRIS, body).statusCode()).isEqualTo(200);
      }
      List<Task> inference = named("starling-infer-");
      assertThat(inference).as("inference threads after 4 requests").isNotEmpty();
      assertThat(inference).allSatisfy(t -> assertThat(t.nice()).isEqualTo(expected));
      // the HTTP side stays where it was
      assertThat(named("http-")).isNotEmpty().allSatisfy(t -> assertThat(t.nice()).isEqualTo(base));
      assertThat(server.metrics().scrape())
          .contains("starling_inference_niceness " + (double) (expected - base));
      // the JIT compiler no longer outranks the inference threads (at least as low: a thread's
      // value cannot go back, and an earlier test in this JVM may have lowered them further)
      assertThat(named("C2 CompilerThre"))
          .isNotEmpty()
          .allSatisfy(t -> assertThat(t.nice()).isGreaterThanOrEqualTo(expected));
      // the VM thread, which runs the safepoints every request thread waits for, does not move
      assertThat(named("VM Thread")).singleElement().extracting(Task::nice).isEqualTo(base);
    }
  }

  @Test
  void nicenessZeroLeavesEveryThreadAlone() throws Exception {
    int base = base();
    String body = Samples.file("iris.request.json");
    try (TestingServer server = iris(new InferenceConfig(null, 2, null, 0))) {
      for (int i = 0; i < 4; i++) {
        assertThat(server.post(IRIS, body).statusCode()).isEqualTo(200);
      }
      assertThat(named("starling-infer-")).as("no inference threads").isEmpty();
      assertThat(named("starling-lowere")).as("no lowered threads").isEmpty();
      // the gate's runners (which run long calls that had to queue) exist only once a call
      // queued, here or in an earlier test in this JVM; none of them is lowered
      assertThat(named("starling-gate-")).allSatisfy(t -> assertThat(t.nice()).isEqualTo(base));
      // the threads that ran the inferences (iris, ungated after its first calls, and the first
      // gated ones alike) are the server's request threads
      assertThat(named("http-")).isNotEmpty().allSatisfy(t -> assertThat(t.nice()).isEqualTo(base));
      assertThat(server.metrics().scrape()).contains("starling_inference_niceness 0.0");
    }
  }

  /**
   * With two intra-op threads ONNX Runtime starts a thread of its own per session; created on a
   * lowered thread, it inherits that thread's nice value (and its name, which is how it is found).
   */
  @Test
  void onnxRuntimesOwnThreadsInheritTheLoweredValue() throws Exception {
    int base = base();
    int expected = Math.min(Niceness.MAX, base + 5);
    try (TestingServer server = iris(new InferenceConfig(2, 2, null, 5))) {
      assertThat(server.post(IRIS, Samples.file("iris.request.json")).statusCode()).isEqualTo(200);
      List<Task> ort = named("starling-lowere");
      assertThat(ort).as("ONNX Runtime's intra-op thread").isNotEmpty();
      assertThat(ort).allSatisfy(t -> assertThat(t.nice()).isEqualTo(expected));
    }
  }

  @Test
  void aThreadIsLoweredRelativeToWhereItStartsAndCappedAt19() throws Exception {
    int base = base();
    Niceness.Outcome[] seen = new Niceness.Outcome[2];
    Thread t =
        new Thread(
            () -> {
              seen[0] = Niceness.lowerCurrentThread(3);
              seen[1] = Niceness.lowerCurrentThread(40);
            });
    t.start();
    t.join();
    assertThat(seen[0].problem()).isNull();
    assertThat(seen[0].before()).isEqualTo(base);
    assertThat(seen[0].after()).isEqualTo(Math.min(Niceness.MAX, base + 3));
    assertThat(seen[1].after()).isEqualTo(Niceness.MAX);
    assertThat(base()).as("the calling thread is untouched").isEqualTo(base);
  }
}
