package dev.starling.runtime.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.starling.runtime.Version;
import dev.starling.runtime.config.FeatureConfig;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.model.TensorSpec;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code /openapi.json}: an OpenAPI 3.1 description of the endpoints, with each model's request
 * schema generated from its signature (input names, datatypes, element types, named features), and
 * {@code /docs}: an interactive page over it.
 */
final class OpenApiRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ModelRegistry models;

  OpenApiRoutes(ModelRegistry models) {
    this.models = models;
  }

  void register(RoutesConfig r) {
    r.get(
        "/openapi.json",
        ctx -> ctx.contentType("application/json").result(JSON.writeValueAsBytes(document())));
    r.get("/docs", this::docs);
  }

  ObjectNode document() {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("openapi", "3.1.0");
    doc.putObject("info")
        .put("title", "Starling runtime")
        .put("version", Version.get())
        .put(
            "description",
            "Open Inference Protocol v2 and KServe V1 endpoints for the models this server serves.");
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    schemas.set(
        "Error",
        JSON.createObjectNode()
            .put("type", "object")
            .set(
                "properties",
                JSON.createObjectNode()
                    .set("error", JSON.createObjectNode().put("type", "string"))));
    get(paths, "/v2", "Server metadata");
    get(paths, "/v2/health/live", "Liveness");
    get(
        paths,
        "/v2/health/ready",
        "Readiness: 200 when every model is loaded and warmed up, 503 otherwise");
    get(paths, "/metrics", "Prometheus metrics");
    for (ServedModel m : models.all()) {
      if (m.model() == null) {
        continue;
      }
      String n = m.name();
      get(paths, "/v2/models/" + n, "Metadata of model " + n);
      get(paths, "/v2/models/" + n + "/ready", "Readiness of model " + n);
      schemas.set(n + "InferRequest", inferRequest(m));
      post(
          paths,
          "/v2/models/" + n + "/infer",
          "Run model " + n + " (Open Inference Protocol v2)",
          n + "InferRequest");
      schemas.set(n + "PredictRequest", predictRequest(m));
      post(
          paths,
          "/v1/models/" + n + ":predict",
          "Run model " + n + " (KServe V1)",
          n + "PredictRequest");
    }
    return doc;
  }

  private static void get(ObjectNode paths, String path, String summary) {
    ObjectNode op = paths.putObject(path).putObject("get");
    op.put("summary", summary);
    op.putObject("responses").putObject("200").put("description", "OK");
  }

  private static void post(ObjectNode paths, String path, String summary, String schema) {
    ObjectNode op = paths.putObject(path).putObject("post");
    op.put("summary", summary);
    op.putObject("requestBody")
        .put("required", true)
        .putObject("content")
        .putObject("application/json")
        .putObject("schema")
        .put("$ref", "#/components/schemas/" + schema);
    ObjectNode responses = op.putObject("responses");
    responses.putObject("200").put("description", "Model outputs");
    for (String code : new String[] {"400", "404", "413", "415", "503"}) {
      responses
          .putObject(code)
          .put("description", "Error")
          .putObject("content")
          .putObject("application/json")
          .putObject("schema")
          .put("$ref", "#/components/schemas/Error");
    }
  }

  private static ObjectNode inferRequest(ServedModel m) {
    ArrayNode inputs = JSON.createArrayNode();
    for (TensorSpec t : m.model().signature().inputs()) {
      ObjectNode props = JSON.createObjectNode();
      props.putObject("name").put("const", t.name());
      props.putObject("datatype").put("const", t.datatype().name());
      ObjectNode shape = props.putObject("shape").put("type", "array");
      shape.putObject("items").put("type", "integer").put("minimum", 0);
      shape.put("minItems", t.rank()).put("maxItems", t.rank());
      props.putObject("data").put("type", "array").set("items", element(t.datatype()));
      ObjectNode input = JSON.createObjectNode().put("type", "object");
      input.set("properties", props);
      input.set(
          "required", JSON.createArrayNode().add("name").add("datatype").add("shape").add("data"));
      inputs.add(input);
    }
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    ObjectNode props = schema.putObject("properties");
    props.putObject("id").put("type", "string");
    ObjectNode in = props.putObject("inputs").put("type", "array");
    in.putObject("items").set("oneOf", inputs);
    schema.set("required", JSON.createArrayNode().add("inputs"));
    return schema;
  }

  private static ObjectNode element(Datatype dt) {
    ObjectNode e = JSON.createObjectNode();
    switch (dt) {
      case BOOL -> e.put("type", "boolean");
      case BYTES -> e.put("type", "string");
      case FP16, FP32, FP64 -> e.put("type", "number");
      default -> e.put("type", "integer");
    }
    return e;
  }

  private static ObjectNode predictRequest(ServedModel m) {
    ObjectNode row = JSON.createObjectNode();
    if (m.binding() != null && m.binding().hasFeatures()) {
      row.put("type", "object").put("additionalProperties", false);
      ObjectNode props = row.putObject("properties");
      ArrayNode required = JSON.createArrayNode();
      for (FeatureConfig f : m.binding().features()) {
        ObjectNode p = props.putObject(f.name());
        switch (f.type()) {
          case BOOL -> p.put("type", "boolean");
          case INT -> p.put("type", "integer");
          case CATEGORY -> {
            ArrayNode values = p.putArray("enum");
            f.values().forEach(values::add);
          }
          default -> p.put("type", "number");
        }
        if (f.min() != null) {
          p.put("minimum", f.min());
        }
        if (f.max() != null) {
          p.put("maximum", f.max());
        }
        if (f.defaultValue() == null) {
          required.add(f.name());
        }
      }
      row.set("required", required);
    } else {
      row.put("type", "array").putObject("items").put("type", "number");
    }
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    schema.putObject("properties").putObject("instances").put("type", "array").set("items", row);
    schema.set("required", JSON.createArrayNode().add("instances"));
    return schema;
  }

  private void docs(Context ctx) throws IOException {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream("/starling/docs.html")) {
      ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
    }
  }
}
