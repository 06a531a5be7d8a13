package dev.starling.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.pipeline.DirectArena;
import dev.starling.runtime.pipeline.InferInput;
import dev.starling.runtime.pipeline.InferRequest;
import dev.starling.runtime.pipeline.InstanceMapper;
import dev.starling.runtime.pipeline.JsonErrors;
import dev.starling.runtime.pipeline.OutputTensor;
import dev.starling.runtime.pipeline.PredictionWriter;
import dev.starling.runtime.pipeline.Predictor;
import dev.starling.runtime.pipeline.RequestValidator;
import dev.starling.runtime.pipeline.SignatureBinding;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * KServe V1: {@code POST /v1/models/{m}:predict} with {@code {"instances": [...]}}, and for models
 * with named features also a bare row object or a list of them. Answers {@code {"predictions"}}
 * post-processed by the model's signature config (labels, probabilities, top-k).
 */
final class V1Routes {
  private final V2Routes v2;
  private final Predictor predictor;
  private final long maxBodyBytes;
  private final ObjectMapper mapper;

  V1Routes(V2Routes v2, Predictor predictor, long maxBodyBytes) {
    this.v2 = v2;
    this.predictor = predictor;
    this.maxBodyBytes = maxBodyBytes;
    this.mapper = new ObjectMapper(predictor.json());
  }

  void register(RoutesConfig r) {
    r.post("/v1/models/{model}:predict", this::predict);
    r.get(
        "/v1/models/{model}",
        ctx -> {
          ServedModel m = v2.find(ctx, null);
          V2Routes.json(
              ctx,
              200,
              g -> {
                g.writeStartObject();
                g.writeStringField("name", m.name());
                g.writeBooleanField("ready", m.ready());
                g.writeEndObject();
              });
        });
  }

  private void predict(Context ctx) throws Exception {
    ServedModel m = v2.find(ctx, null);
    v2.track(ctx, m, "v1", () -> predict(ctx, m));
  }

  private void predict(Context ctx, ServedModel m) throws IOException {
    ServedModel.Serving serving = m.acquire();
    if (serving == null) {
      throw ApiException.unavailable("model '" + m.name() + "' is not loaded");
    }
    DirectArena arena = DirectArena.local();
    try {
      byte[] body = Bodies.readJson(ctx, maxBodyBytes);
      OnnxModel model = serving.model();
      SignatureBinding b = serving.binding();
      List<JsonNode> rows = instances(parse(body), b);
      InferInput input =
          b.hasFeatures()
              ? InstanceMapper.features(b, rows, arena)
              : InstanceMapper.rows(onlyInput(model), rows, arena);
      InferRequest req = new InferRequest(null, List.of(input), null, null);
      RequestValidator.validate(req, model.signature());
      List<OutputTensor> outputs = predictor.predict(m, model, req.inputs(), null);
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      try (JsonGenerator g = predictor.json().createGenerator(out)) {
        g.writeStartObject();
        PredictionWriter.write(g, b, outputs, rows.size());
        g.writeEndObject();
      }
      ctx.contentType("application/json").result(out.toByteArray());
    } finally {
      arena.reset();
      serving.model().release();
    }
  }

  private JsonNode parse(byte[] body) {
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw JsonErrors.badJson(e);
    }
  }

  private static List<JsonNode> instances(JsonNode root, SignatureBinding b) {
    JsonNode list;
    if (root.isObject() && root.has("instances")) {
      list = root.get("instances");
    } else if (b.hasFeatures() && root.isObject()) {
      return List.of(root);
    } else if (b.hasFeatures() && root.isArray()) {
      list = root;
    } else {
      throw ApiException.badRequest("request must be {\"instances\": [...]}");
    }
    if (!list.isArray() || list.isEmpty()) {
      throw ApiException.badRequest("'instances' must be a non-empty array");
    }
    List<JsonNode> rows = new ArrayList<>(list.size());
    list.forEach(rows::add);
    return rows;
  }

  private static dev.starling.runtime.model.TensorSpec onlyInput(OnnxModel model) {
    if (model.signature().inputs().size() != 1) {
      throw ApiException.badRequest(
          "V1 instances need a one-input model; this one has "
              + model.signature().inputs().size()
              + " inputs: use the V2 infer endpoint");
    }
    return model.signature().inputs().get(0);
  }
}
