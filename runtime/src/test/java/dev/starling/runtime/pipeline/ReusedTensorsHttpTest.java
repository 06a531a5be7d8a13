package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Calls on a session's reused tensors ({@link SlotCall}) answer byte for byte what calls on fresh
 * tensors answer: requests of different sizes and values back to back and from many threads at once
 * (iris runs ungated, several calls at a time; the MLP's are merged into batches of changing
 * sizes), so a value left in a reused buffer by an earlier call, or an output read after another
 * call reused its buffer, shows as a wrong answer.
 */
class ReusedTensorsHttpTest {
  private static final int REQUESTS = 160;
  private static final int THREADS = 8;

  static String body(String model, Random r, int rows) {
    String input = model.equals("iris") ? "float_input" : "input";
    int width = model.equals("iris") ? 4 : 64;
    StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"").append(input);
    sb.append("\",\"datatype\":\"FP32\",\"shape\":[").append(rows).append(',').append(width);
    sb.append("],\"data\":[");
    for (int i = 0; i < rows * width; i++) {
      sb.append(i == 0 ? "" : ",").append((r.nextInt(2000) - 500) / 250.0);
    }
    return sb.append("]}]}").toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"iris", "mlp"})
  void answersOnReusedTensorsEqualAnswersOnFreshOnes(String model) throws Exception {
    Random r = new Random(model.hashCode());
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      bodies.add(body(model, r, 1 + r.nextInt(4)));
    }
    String path = "/v2/models/" + model + "/infer";
    List<String> expected = new ArrayList<>();
    try (TestingServer fresh = TestingServer.samples()) {
      OnnxModel session = fresh.models().get(model).model();
      session.disableSlots("the reference server runs every call on fresh tensors");
      for (String b : bodies) {
        HttpResponse<String> res = fresh.post(path, b);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        expected.add(res.body());
      }
      assertThat(idle(session)).as("no reused tensors in the reference").isZero();
    }
    try (TestingServer reused = TestingServer.samples()) {
      for (int i = 0; i < bodies.size(); i++) {
        assertThat(reused.post(path, bodies.get(i)).body())
            .as("back to back, #" + i)
            .isEqualTo(expected.get(i));
      }
      assertThat(idle(reused.models().get(model).model()))
          .as("the calls ran on reused tensors")
          .isPositive();

      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<String> mismatches = new CopyOnWriteArrayList<>();
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int first = t;
        fs.add(
            pool.submit(
                () -> {
                  for (int round = 0; round < 3; round++) {
                    for (int i = first; i < bodies.size(); i += THREADS) {
                      HttpResponse<String> res = reused.post(path, bodies.get(i));
                      if (res.statusCode() != 200 || !res.body().equals(expected.get(i))) {
                        mismatches.add(i + ": " + res.statusCode() + " " + res.body());
                      }
                    }
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
      assertThat(mismatches).as("concurrent answers that differ from fresh tensors'").isEmpty();
    }
  }

  private static int idle(OnnxModel session) {
    int n = 0;
    for (int rows = 1; rows <= 64; rows++) {
      n += session.idleSlots(rows);
    }
    return n;
  }
}
