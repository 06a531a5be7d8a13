package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.config.SourceConfig;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two safety paths of reused tensors with pinned outputs ({@code CallSlot}), each on a tiny
 * model made to trigger it (src/test/resources/models/build_test_models.py): the answers stay what
 * ONNX Runtime answers on fresh tensors, call after call and for several row counts, and the model
 * stops using reused tensors.
 */
class SlotFallbackHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path model(String name) throws Exception {
    return Path.of(SlotFallbackHttpTest.class.getResource("/models/" + name + ".onnx").toURI());
  }

  /**
   * Serves the test model {@code name} alone, unbatched (each request is one ONNX Runtime call).
   */
  private static TestingServer serve(String name) throws Exception {
    ModelConfig m =
        new ModelConfig(
            name,
            "1",
            new SourceConfig(model(name).toUri().toString(), null),
            null,
            false,
            BatchingConfig.off(),
            null);
    RuntimeConfig cfg =
        new RuntimeConfig(
                ServerConfig.defaults().withHost("127.0.0.1").withPort(0), null, null, null, null)
            .withModels(List.of(m));
    return TestingServer.start(cfg);
  }

  private static double[] values(Random r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (r.nextInt(2000) - 500) / 64.0; // exact in FP32, and so are their squares
    }
    return v;
  }

  private static String body(double[] v) {
    StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",");
    sb.append("\"shape\":[").append(v.length / 4).append(",4],\"data\":[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ",").append(v[i]);
    }
    return sb.append("]}]}").toString();
  }

  private static void assertData(JsonNode outputs, String name, long[] shape, double[] want) {
    JsonNode o = null;
    for (JsonNode e : outputs) {
      if (e.get("name").asText().equals(name)) {
        o = e;
      }
    }
    assertThat(o).as("output " + name).isNotNull();
    List<Long> gotShape = new ArrayList<>();
    o.get("shape").forEach(d -> gotShape.add(d.asLong()));
    assertThat(gotShape).as(name + " shape").containsExactly(box(shape));
    // FP32 answers print as the shortest decimal that reads back as the same float
    List<Float> got = new ArrayList<>();
    o.get("data").forEach(d -> got.add((float) d.asDouble()));
    assertThat(got).as(name + " data").containsExactly(box(want));
  }

  private static double[] square(double[] v) {
    double[] sq = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      sq[i] = v[i] * v[i];
    }
    return sq;
  }

  private static Long[] box(long[] a) {
    Long[] b = new Long[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }

  private static Float[] box(double[] a) {
    Float[] b = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = (float) a[i];
    }
    return b;
  }

  private static JsonNode infer(TestingServer server, String model, String body) throws Exception {
    HttpResponse<String> res = server.post("/v2/models/" + model + "/infer", body);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return JSON.readTree(res.body()).get("outputs");
  }

  private static int idle(OnnxModel session) {
    int n = 0;
    for (int rows = 1; rows <= 64; rows++) {
      n += session.idleSlots(rows);
    }
    return n;
  }

  /** What a test checks of one answer beyond ONNX Runtime's own: the expected values. */
  private interface Expected {
    void check(JsonNode outputs, int rows, double[] inputs);
  }

  /**
   * 12 calls of 1-4 rows (so several slots' first calls): each answer is what ONNX Runtime answers
   * on fresh tensors and what {@code expected} says, and after each the model uses no reused
   * tensors and keeps none.
   */
  private static void callsAreRightAndSlotsGoOff(String model, long seed, Expected expected)
      throws Exception {
    Random r = new Random(seed);
    try (TestingServer server = serve(model)) {
      OnnxModel session = server.models().get(model).model();
      assertThat(session.slotsEnabled()).as("a numeric model with fixed inner dims").isTrue();
      for (int call = 0; call < 12; call++) {
        int rows = 1 + call % 4;
        double[] v = values(r, rows * 4);
        String body = body(v);
        JsonNode outs = infer(server, model, body);
        OnnxReference.assertOutputsEqual(
            outs, OnnxReference.infer(model(model), JSON.readTree(body)));
        expected.check(outs, rows, v);
        assertThat(session.slotsEnabled()).as("after call " + call).isFalse();
        assertThat(idle(session)).as("no reused tensors kept").isZero();
      }
    }
  }

  /**
   * passthrough.onnx answers its input x as a second output: ONNX Runtime hands back the input's
   * own value for it and leaves a pinned buffer untouched, so without the first call's
   * written-in-place check the answer would be the slot's stale bytes.
   */
  @Test
  void anOutputOnnxRuntimeDoesNotWriteInPlaceTurnsSlotsOffAndTheAnswerStaysRight()
      throws Exception {
    callsAreRightAndSlotsGoOff(
        "passthrough",
        7,
        (outs, rows, v) -> {
          assertData(outs, "squared", new long[] {rows, 4}, square(v));
          assertData(outs, "x", new long[] {rows, 4}, v);
        });
  }

  /**
   * tiled.onnx declares y [N,4] but answers [2N,4]: a call with y pinned at [N,4] fails in ONNX
   * Runtime, the same call on fresh tensors succeeds, so that answer is given and slots go off.
   */
  @Test
  void aCallThatFailsOnlyOnReusedTensorsIsAnsweredFreshAndTurnsSlotsOff() throws Exception {
    callsAreRightAndSlotsGoOff(
        "tiled",
        11,
        (outs, rows, v) -> {
          double[] twice = new double[v.length * 2];
          System.arraycopy(v, 0, twice, 0, v.length);
          System.arraycopy(v, 0, twice, v.length, v.length);
          assertData(outs, "y", new long[] {2L * rows, 4}, twice);
        });
  }

  /**
   * The written-in-place check covers the outputs a call asks for: a first call that selects only
   * {@code squared} (which ONNX Runtime writes in place) says nothing about {@code x}, so a later
   * call asking for every output on the same slot must still be checked, not answered with the
   * slot's unwritten bytes.
   */
  @Test
  void aFirstCallThatSelectsSomeOutputsLeavesTheOthersToBeChecked() throws Exception {
    Random r = new Random(13);
    try (TestingServer server = serve("passthrough")) {
      OnnxModel session = server.models().get("passthrough").model();
      double[] first = values(r, 4);
      String selected = body(first).replace("}]}", "}],\"outputs\":[{\"name\":\"squared\"}]}");
      JsonNode outs = infer(server, "passthrough", selected);
      assertThat(outs).hasSize(1);
      assertData(outs, "squared", new long[] {1, 4}, square(first));
      assertThat(session.slotsEnabled()).as("squared is written in place").isTrue();
      double[] v = values(r, 4);
      String body = body(v);
      outs = infer(server, "passthrough", body);
      OnnxReference.assertOutputsEqual(
          outs, OnnxReference.infer(model("passthrough"), JSON.readTree(body)));
      assertData(outs, "x", new long[] {1, 4}, v);
      assertThat(session.slotsEnabled()).as("x is not written in place").isFalse();
    }
  }
}
