package dev.starling.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.starling.runtime.Main;
import dev.starling.runtime.config.DriftConfig;
import dev.starling.runtime.config.FeedbackConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift monitoring over real HTTP on the fraud model: the live window's PSI per feature and for the
 * predictions, read from /metrics, against PSI computed here from the rows sent and the profile's
 * bins.
 */
class DriftHttpTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> FEATURES =
      List.of("amount", "age", "account_age_days", "country", "foreign_ip");
  static final List<String> COUNTRIES = List.of("US", "DE", "FR", "GB", "BR", "IN");

  @TempDir static Path dir;
  static Path profileFile;
  static JsonNode profile;
  static List<ObjectNode> reference;

  TestingServer server;

  @BeforeAll
  static void profileTheReference() throws Exception {
    profileFile = dir.resolve("fraud-profile.json");
    Path csv = Samples.repoRoot().resolve("samples/models/fraud-reference.csv");
    writeFraudProfile(csv, profileFile);
    profile = JSON.readTree(profileFile.toFile());
    reference = new ArrayList<>();
    List<String> lines = Files.readAllLines(csv);
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",");
      ObjectNode row = JSON.createObjectNode();
      row.put("amount", Double.parseDouble(c[0]));
      row.put("age", Integer.parseInt(c[1]));
      row.put("account_age_days", Double.parseDouble(c[2]));
      row.put("country", c[3]);
      row.put("foreign_ip", Boolean.parseBoolean(c[4]));
      reference.add(row);
    }
  }

  @BeforeEach
  void start() {
    RuntimeConfig cfg =
        new RuntimeConfig(null, null, null, null, null)
            .withDrift(
                new DriftConfig(
                    profileFile.toString(),
                    "fraud",
                    2000,
                    new FeedbackConfig(true, 1000, null, 100)));
    server = TestingServer.samples(cfg);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aWindowDrawnFromTheReferenceHasPsiNearZero() throws Exception {
    Random rnd = new Random(42);
    List<ObjectNode> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(reference.get(rnd.nextInt(reference.size())));
    }
    List<String> predicted = predict(rows);
    String metrics = server.get("/metrics").body();
    assertThat(gauge(metrics, "starling_drift_window_rows", Map.of())).isEqualTo(2000);
    for (int f = 0; f < FEATURES.size(); f++) {
      double live = featurePsi(metrics, FEATURES.get(f));
      assertThat(live)
          .as(FEATURES.get(f))
          .isLessThan(0.05)
          .isCloseTo(expectedPsi(f, rows), within(1e-6));
    }
    double prediction = gauge(metrics, "starling_prediction_drift_psi", Map.of());
    assertThat(prediction)
        .isLessThan(0.05)
        .isCloseTo(expectedPredictionPsi(predicted), within(1e-6));
  }

  @Test
  void tripledAmountsGiveTheExpectedPsiAndOutOfRangeCounts() throws Exception {
    predict(reference.subList(0, 500)); // pushed out of the window by what follows
    List<ObjectNode> shifted = map(reference, r -> r.put("amount", r.get("amount").asDouble() * 3));
    List<String> predicted = predict(shifted);
    String metrics = server.get("/metrics").body();

    double amount = featurePsi(metrics, "amount");
    assertThat(amount).isGreaterThan(0.2).isCloseTo(expectedPsi(0, shifted), within(1e-6));
    for (String unchanged : FEATURES.subList(1, 5)) {
      assertThat(featurePsi(metrics, unchanged)).as(unchanged).isCloseTo(0, within(1e-12));
    }
    assertThat(gauge(metrics, "starling_prediction_drift_psi", Map.of()))
        .isCloseTo(expectedPredictionPsi(predicted), within(1e-6));
    double max = profile.get("features").get(0).get("max").asDouble();
    long above = shifted.stream().filter(r -> (float) r.get("amount").asDouble() > max).count();
    assertThat(above).isPositive();
    assertThat(counter(metrics, "starling_feature_out_of_range_total", "amount")).isEqualTo(above);
    assertThat(counter(metrics, "starling_feature_out_of_range_total", "age")).isZero();
  }

  @Test
  void allTrafficFromOneCountryGivesTheExpectedPsi() throws Exception {
    List<ObjectNode> shifted = map(reference, r -> r.put("country", "BR"));
    predict(shifted);
    String metrics = server.get("/metrics").body();
    double country = featurePsi(metrics, "country");
    assertThat(country).isGreaterThan(0.2).isCloseTo(expectedPsi(3, shifted), within(1e-6));
    // independently: all mass in BR (share 0.123 in the reference), ε in the five others
    double[] e = doubles(profile.get("features").get(3).get("proportions"));
    double byHand = (1 - e[4]) * Math.log(1 / e[4]);
    for (int i = 0; i < 6; i++) {
      byHand += i == 4 ? 0 : (1e-4 - e[i]) * Math.log(1e-4 / e[i]);
    }
    assertThat(country).isCloseTo(byHand, within(1e-9));
    assertThat(counter(metrics, "starling_feature_unseen_category_total", "country")).isZero();
  }

  @Test
  void unseenCategoriesArriveAsV2IndicesAndAreCounted() throws Exception {
    // rows: country index 7 (no such category), 2.5 (no index), -1; foreign_ip 2; one clean row
    float[][] rows = {
      {50, 30, 100, 7, 0},
      {50, 30, 100, 2.5f, 0},
      {50, 30, 100, -1, 0},
      {50, 30, 100, 0, 2},
      {50, 30, 100, 1, 1}
    };
    ObjectNode body = JSON.createObjectNode();
    ObjectNode in = body.putArray("inputs").addObject();
    in.put("name", "float_input").put("datatype", "FP32");
    in.putArray("shape").add(rows.length).add(5);
    ArrayNode data = in.putArray("data");
    for (float[] r : rows) {
      for (float v : r) {
        data.add(v);
      }
    }
    HttpResponse<String> r = server.post("/v2/models/fraud/infer", body.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String metrics = server.get("/metrics").body();
    assertThat(counter(metrics, "starling_feature_unseen_category_total", "country")).isEqualTo(3);
    assertThat(counter(metrics, "starling_feature_unseen_category_total", "foreign_ip"))
        .isEqualTo(1);
    assertThat(counter(metrics, "starling_feature_missing_total", "amount")).isZero();
    assertThat(gauge(metrics, "starling_drift_window_rows", Map.of())).isEqualTo(5);
    // 3 of 5 country values in the unseen bin (reference share ε)
    assertThat(featurePsi(metrics, "country")).isGreaterThan(2);
  }

  @Test
  void featuresLeftOutAndFilledWithTheirDefaultCountAsMissing() throws Exception {
    // age (default 35) left out of both rows, foreign_ip (default false) out of the first only
    String body =
        "{\"instances\": ["
            + "{\"amount\": 50, \"account_age_days\": 100, \"country\": \"US\"},"
            + "{\"amount\": 60, \"account_age_days\": 10, \"country\": \"DE\","
            + " \"foreign_ip\": true}]}";
    HttpResponse<String> r = server.post("/v1/models/fraud:predict", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String metrics = server.get("/metrics").body();
    assertThat(counter(metrics, "starling_feature_missing_total", "age")).isEqualTo(2);
    assertThat(counter(metrics, "starling_feature_missing_total", "foreign_ip")).isEqualTo(1);
    assertThat(counter(metrics, "starling_feature_missing_total", "amount")).isZero();
    assertThat(gauge(metrics, "starling_drift_window_rows", Map.of())).isEqualTo(2);
  }

  @Test
  void feedbackScoresRememberedPredictions() throws Exception {
    String risky = Samples.file("fraud.request.json"); // p(fraud) ≈ 0.93
    ObjectNode req = (ObjectNode) JSON.readTree(risky);
    assertThat(server.post("/v2/models/fraud/infer", req.put("id", "tx-1").toString()).statusCode())
        .isEqualTo(200);
    assertThat(server.post("/v2/models/fraud/infer", req.put("id", "tx-2").toString()).statusCode())
        .isEqualTo(200);

    HttpResponse<String> right = feedback("fraud", "tx-1", "fraud");
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(right.body()).get("result").asText()).isEqualTo("correct");
    HttpResponse<String> wrong = feedback("fraud", "tx-2", "legit");
    assertThat(JSON.readTree(wrong.body()).get("result").asText()).isEqualTo("incorrect");
    HttpResponse<String> again = feedback("fraud", "tx-1", "fraud");
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(again.body()).contains("tx-1");
    assertThat(feedback("fraud", "tx-3", "lemon").statusCode()).isEqualTo(400);
    assertThat(feedback("mlp", "tx-3", "x").statusCode()).isEqualTo(404);

    String metrics = server.get("/metrics").body();
    Map<String, String> fraud = Map.of("model", "fraud");
    assertThat(
            PrometheusText.count(
                metrics, "starling_feedback_total", with(fraud, "result", "correct")))
        .isEqualTo(1);
    assertThat(
            PrometheusText.count(
                metrics, "starling_feedback_total", with(fraud, "result", "incorrect")))
        .isEqualTo(1);
    assertThat(
            PrometheusText.count(
                metrics, "starling_feedback_total", with(fraud, "result", "unknown_id")))
        .isEqualTo(1);
    assertThat(PrometheusText.value(metrics, "starling_feedback_accuracy", fraud)).isEqualTo(0.5);
  }

  // --- the client side: send rows, read predictions

  /** Sends rows as KServe V1 named features, 100 per request; returns the predicted labels. */
  List<String> predict(List<ObjectNode> rows) throws Exception {
    List<String> labels = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += 100) {
      ObjectNode body = JSON.createObjectNode();
      body.putArray("instances").addAll(rows.subList(from, Math.min(rows.size(), from + 100)));
      HttpResponse<String> r = server.post("/v1/models/fraud:predict", body.toString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode.class
          .cast(JSON.readTree(r.body()).get("predictions"))
          .forEach(p -> labels.add(p.get("label").asText()));
    }
    return labels;
  }

  HttpResponse<String> feedback(String model, String id, String label) {
    return server.post(
        "/v2/models/" + model + "/feedback",
        JSON.createObjectNode().put("id", id).put("label", label).toString());
  }

  // --- the independent computation: bins from the profile file, PSI by its definition

  /** The value feature f has inside the model (FP32 input, categories as indices). */
  static double modelValue(int f, JsonNode row) {
    return switch (FEATURES.get(f)) {
      case "country" -> COUNTRIES.indexOf(row.get("country").asText());
      case "foreign_ip" -> row.get("foreign_ip").asBoolean() ? 1 : 0;
      default -> (float) row.get(FEATURES.get(f)).asDouble();
    };
  }

  static double expectedPsi(int f, List<ObjectNode> rows) {
    JsonNode p = profile.get("features").get(f);
    double[] e = doubles(p.get("proportions"));
    long[] counts;
    if (p.get("kind").asText().equals("numeric")) {
      double[] edges = doubles(p.get("edges"));
      counts = new long[edges.length + 1];
      for (ObjectNode r : rows) {
        double v = modelValue(f, r);
        int bin = 0;
        for (double edge : edges) {
          bin += edge <= v ? 1 : 0;
        }
        counts[bin]++;
      }
    } else {
      counts = new long[e.length + 1];
      for (ObjectNode r : rows) {
        counts[(int) modelValue(f, r)]++;
      }
    }
    return psi(e, counts);
  }

  static double expectedPredictionPsi(List<String> predicted) {
    double[] e = doubles(profile.get("prediction").get("proportions"));
    long[] counts = new long[3];
    predicted.forEach(l -> counts[l.equals("legit") ? 0 : 1]++);
    return psi(e, counts);
  }

  /** Σ (a − e)·ln(a/e) over bins, shares floored at 1e-4; e is 0 past its end. */
  static double psi(double[] expected, long[] counts) {
    double n = 0;
    for (long c : counts) {
      n += c;
    }
    double sum = 0;
    for (int i = 0; i < counts.length; i++) {
      double e = Math.max(i < expected.length ? expected[i] : 0, 1e-4);
      double a = Math.max(counts[i] / n, 1e-4);
      sum += (a - e) * Math.log(a / e);
    }
    return sum;
  }

  // --- reading /metrics

  /** Runs {@code profile} for the fraud sample model over {@code csv} into {@code out}. */
  static void writeFraudProfile(Path csv, Path out) {
    int code =
        Main.commandLine()
            .execute(
                "profile",
                "--model",
                Samples.model("fraud").toString(),
                "--data",
                csv.toString(),
                "--output",
                out.toString());
    assertThat(code).isZero();
  }

  static double featurePsi(String metrics, String feature) {
    return gauge(metrics, "starling_feature_drift_psi", Map.of("feature", feature));
  }

  static double gauge(String metrics, String name, Map<String, String> labels) {
    return PrometheusText.value(metrics, name, with(labels, "model", "fraud"));
  }

  static double counter(String metrics, String name, String feature) {
    return PrometheusText.count(metrics, name, Map.of("model", "fraud", "feature", feature));
  }

  static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> out = new java.util.HashMap<>(m);
    out.put(k, v);
    return out;
  }

  static List<ObjectNode> map(List<ObjectNode> rows, UnaryOperator<ObjectNode> f) {
    return rows.stream().map(r -> f.apply(r.deepCopy())).toList();
  }

  static double[] doubles(JsonNode array) {
    double[] d = new double[array.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = array.get(i).asDouble();
    }
    return d;
  }
}
