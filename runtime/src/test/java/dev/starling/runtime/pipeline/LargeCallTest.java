package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A call large enough to give ONNX Runtime's arena memory back afterwards answers exactly like the
 * same rows sent in ordinary-sized requests, and the session keeps serving after it.
 */
class LargeCallTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 2048;
  private static final int CHUNK = 256;

  @Test
  void largeCallsAnswerLikeSmallOnesAndTheSessionKeepsServing() throws Exception {
    assertThat((long) ROWS * 64).isGreaterThan(Predictor.LARGE_CALL_ELEMENTS);
    assertThat((long) CHUNK * 64).isLessThanOrEqualTo(Predictor.LARGE_CALL_ELEMENTS);
    Random r = new Random(11);
    double[][] rows = new double[ROWS][64];
    for (double[] row : rows) {
      for (int j = 0; j < 64; j++) {
        row[j] = (r.nextInt(2000) - 1000) / 500.0;
      }
    }
    try (TestingServer server = TestingServer.samples()) {
      List<Double> small = new ArrayList<>();
      for (int from = 0; from < ROWS; from += CHUNK) {
        small.addAll(logits(server, rows, from, CHUNK));
      }
      for (int round = 0; round < 2; round++) {
        List<Double> large = logits(server, rows, 0, ROWS);
        assertThat(large).hasSameSizeAs(small);
        for (int i = 0; i < large.size(); i++) {
          assertThat(large.get(i)).as("element %d", i).isCloseTo(small.get(i), within(1e-5));
        }
      }
      assertThat(logits(server, rows, 0, 1)).containsExactlyElementsOf(small.subList(0, 10));
    }
  }

  private static List<Double> logits(TestingServer server, double[][] rows, int from, int n)
      throws Exception {
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[");
    sb.append(n).append(",64],\"data\":[");
    for (int i = from; i < from + n; i++) {
      for (int j = 0; j < 64; j++) {
        sb.append(i == from && j == 0 ? "" : ",").append(rows[i][j]);
      }
    }
    HttpResponse<String> res = server.post("/v2/models/mlp/infer", sb.append("]}]}").toString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonNode data = JSON.readTree(res.body()).get("outputs").get(0).get("data");
    List<Double> out = new ArrayList<>();
    data.forEach(v -> out.add(v.asDouble()));
    assertThat(out).hasSize(n * 10);
    return out;
  }
}
