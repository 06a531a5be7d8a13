package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every endpoint of the runtime over real HTTP, on the bundled sample models. */
class EndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestingServer server;

  @BeforeAll
  static void start() {
    server = TestingServer.samples();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return JSON.readTree(r.body());
  }

  @Test
  void serverMetadataNamesStarling() throws Exception {
    HttpResponse<String> r = server.get("/v2");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("name").asText()).isEqualTo("starling");
    assertThat(json(r).get("extensions").isArray()).isTrue();
  }

  @Test
  void liveAndReadyAnswer200OnceModelsLoaded() throws Exception {
    assertThat(server.get("/v2/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = server.get("/v2/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).get("ready").asBoolean()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"iris", "fraud", "mlp", "heavy", "types"})
  void modelMetadataListsTheModelsOwnSignature(String model) throws Exception {
    JsonNode meta = json(server.get("/v2/models/" + model));
    assertThat(meta.get("name").asText()).isEqualTo(model);
    assertThat(meta.get("versions").get(0).asText()).isEqualTo("1");
    assertThat(meta.get("platform").asText()).isEqualTo("onnxruntime_onnx");
    var sig = server.models().get(model).model().signature();
    assertThat(meta.get("inputs")).hasSize(sig.inputs().size());
    assertThat(meta.get("outputs")).hasSize(sig.outputs().size());
    assertThat(meta.get("inputs").get(0).get("name").asText())
        .isEqualTo(sig.inputs().get(0).name());
    assertThat(meta.get("inputs").get(0).get("shape").get(0).asLong()).isEqualTo(-1);
    assertThat(json(server.get("/v2/models/" + model + "/versions/1")).get("name").asText())
        .isEqualTo(model);
    assertThat(server.get("/v2/models/" + model + "/versions/2").statusCode()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/v2/models/iris/ready", "/v2/models/iris/versions/1/ready", "/v1/models/iris"})
  void modelReadinessEndpointsSayReady(String path) throws Exception {
    HttpResponse<String> r = server.get(path);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("ready").asBoolean()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"iris", "fraud", "mlp", "heavy", "types"})
  void v2InferAnswersWhatOnnxRuntimeAnswers(String model) throws Exception {
    String body = Samples.file(model + ".request.json");
    HttpResponse<String> r = server.post("/v2/models/" + model + "/infer", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode got = json(r);
    var want = OnnxReference.infer(Samples.model(model), JSON.readTree(body));
    assertThat(got.get("model_name").asText()).isEqualTo(model);
    assertThat(got.get("model_version").asText()).isEqualTo("1");
    OnnxReference.assertOutputsEqual(got.get("outputs"), want);
    // The same through the versioned path.
    HttpResponse<String> v = server.post("/v2/models/" + model + "/versions/1/infer", body);
    OnnxReference.assertOutputsEqual(json(v).get("outputs"), want);
  }

  @Test
  void inferEchoesIdAndReturnsOnlyTheRequestedOutputs() throws Exception {
    String body =
        "{\"id\":\"req-42\",\"parameters\":{\"x\":1},\"inputs\":[{\"name\":\"float_input\",\"shape\":[2,4],"
            + "\"datatype\":\"FP32\",\"data\":[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]}],"
            + "\"outputs\":[{\"name\":\"probabilities\"}]}";
    JsonNode got = json(server.post("/v2/models/iris/infer", body));
    assertThat(got.get("id").asText()).isEqualTo("req-42");
    assertThat(got.get("outputs")).hasSize(1);
    JsonNode probs = got.get("outputs").get(0);
    assertThat(probs.get("name").asText()).isEqualTo("probabilities");
    assertThat(probs.get("shape").toString()).isEqualTo("[2,3]");
    assertThat(probs.get("data")).hasSize(6);
    assertThat(probs.get("data").get(0).asDouble()).isGreaterThan(0.9); // setosa
    assertThat(probs.get("data").get(5).asDouble()).isGreaterThan(0.9); // virginica
  }

  @Test
  void datatypesRoundTripThroughTheTypesModel() throws Exception {
    JsonNode got = json(server.post("/v2/models/types/infer", Samples.file("types.request.json")));
    JsonNode req = JSON.readTree(Samples.file("types.request.json"));
    for (JsonNode in : req.get("inputs")) {
      String name = in.get("name").asText();
      JsonNode out = find(got.get("outputs"), name + "_out");
      assertThat(out.get("datatype").asText()).as(name).isEqualTo(in.get("datatype").asText());
      assertThat(out.get("data")).as(name).isEqualTo(in.get("data"));
    }
    // Unsigned wide types come back as numbers, not wrapped negatives.
    assertThat(find(got.get("outputs"), "u64_out").get("data").get(2).asLong()).isEqualTo(255);
    assertThat(find(got.get("outputs"), "u16_out").get("datatype").asText()).isEqualTo("UINT16");
  }

  @Test
  void v1PredictWithLabelsGivesClassNamesProbabilitiesAndTopK() throws Exception {
    HttpResponse<String> r =
        server.post(
            "/v1/models/iris:predict", "{\"instances\":[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode p = json(r).get("predictions");
    assertThat(p).hasSize(2);
    assertThat(p.get(0).get("label").asText()).isEqualTo("setosa");
    assertThat(p.get(1).get("label").asText()).isEqualTo("virginica");
    double sum = 0;
    for (String l : new String[] {"setosa", "versicolor", "virginica"}) {
      sum += p.get(0).get("probabilities").get(l).asDouble();
    }
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(p.get(0).get("top_k")).hasSize(1);
  }

  @Test
  void namedFeaturesAreMappedDefaultedAndLabelled() throws Exception {
    String risky = Samples.file("fraud.features.json");
    JsonNode one = json(server.post("/v1/models/fraud:predict", risky)).get("predictions");
    assertThat(one).hasSize(1);
    assertThat(one.get(0).get("label").asText()).isEqualTo("fraud");
    assertThat(one.get(0).get("top_k")).hasSize(2);
    // A list of rows, the second one leaning on defaults (age, foreign_ip).
    String rows = "[" + risky + ",{\"amount\":12.5,\"account_age_days\":2000,\"country\":\"DE\"}]";
    JsonNode two = json(server.post("/v1/models/fraud:predict", rows)).get("predictions");
    assertThat(two).hasSize(2);
    assertThat(two.get(1).get("label").asText()).isEqualTo("legit");
    // The mapped row equals the tensor the model would get from the V2 endpoint.
    String v2 =
        "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,5],\"datatype\":\"FP32\","
            + "\"data\":[12.5,35,2000,1,0]}]}";
    JsonNode probs =
        find(json(server.post("/v2/models/fraud/infer", v2)).get("outputs"), "probabilities");
    assertThat(two.get(1).get("probabilities").get("fraud").floatValue())
        .isEqualTo(probs.get("data").get(1).floatValue());
  }

  @Test
  void v1InstancesWithoutLabelsReturnTheOutputRows() throws Exception {
    String mlpRow =
        JSON.readTree(Samples.file("mlp.request.json")).get("inputs").get(0).get("data").toString();
    JsonNode p =
        json(server.post("/v1/models/mlp:predict", "{\"instances\":[" + mlpRow + "]}"))
            .get("predictions");
    JsonNode v2 = json(server.post("/v2/models/mlp/infer", Samples.file("mlp.request.json")));
    assertThat(p.get(0)).hasSize(10);
    assertThat(p.get(0)).isEqualTo(v2.get("outputs").get(0).get("data"));
  }

  @Test
  void metricsExposeRequestCountsByModelProtocolAndStatusAndLatencyByOutcome() throws Exception {
    server.post("/v2/models/iris/infer", Samples.file("iris.request.json"));
    server.post("/v2/models/iris/infer", "{\"inputs\":[]}");
    HttpResponse<String> m = server.get("/metrics");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body())
        .contains(
            "starling_requests_total{model=\"iris\",protocol=\"v2\",status=\"200\",version=\"1\"}")
        .contains(
            "starling_requests_total{model=\"iris\",protocol=\"v2\",status=\"400\",version=\"1\"}")
        .contains(
            "starling_request_duration_seconds_count{model=\"iris\",outcome=\"ok\",protocol=\"v2\",version=\"1\"}")
        .contains(
            "starling_request_duration_seconds_count{model=\"iris\",outcome=\"error\",protocol=\"v2\",version=\"1\"}")
        // the buckets between 1 and 10 ms, where the overload target is read
        .contains(
            "starling_request_duration_seconds_bucket{model=\"iris\",outcome=\"ok\",protocol=\"v2\",version=\"1\",le=\"0.0015\"}")
        .contains(
            "starling_queue_duration_seconds_bucket{model=\"iris\",version=\"1\",le=\"0.003\"}")
        .contains(
            "starling_inference_duration_seconds_bucket{model=\"iris\",version=\"1\",le=\"0.0075\"}")
        .contains("starling_inference_duration_seconds_count{model=\"iris\",version=\"1\"}")
        .contains("starling_inflight_requests{model=\"iris\",version=\"1\"}")
        .contains("starling_model_ready{model=\"iris\",version=\"1\"} 1")
        .contains("jvm_memory_used_bytes")
        .contains("process_cpu_usage");
  }

  @Test
  void openApiDescribesEveryModelsRequestSchema() throws Exception {
    JsonNode doc = json(server.get("/openapi.json"));
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(doc.get("paths").has("/v2/models/iris/infer")).isTrue();
    assertThat(doc.get("paths").has("/v1/models/fraud:predict")).isTrue();
    JsonNode fraud = doc.get("components").get("schemas").get("fraudPredictRequest");
    JsonNode row = fraud.get("properties").get("instances").get("items");
    assertThat(row.get("properties").get("country").get("enum")).hasSize(6);
    assertThat(row.get("required").toString()).contains("amount").doesNotContain("foreign_ip");
    HttpResponse<String> docs = server.get("/docs");
    assertThat(docs.statusCode()).isEqualTo(200);
    assertThat(docs.body()).contains("swagger-ui");
    assertThat(server.get("/webjars/swagger-ui/5.27.1/swagger-ui-bundle.js").statusCode())
        .isEqualTo(200);
  }

  static JsonNode find(JsonNode outputs, String name) {
    for (JsonNode o : outputs) {
      if (o.get("name").asText().equals(name)) {
        return o;
      }
    }
    throw new AssertionError("no output " + name + " in " + outputs);
  }
}
