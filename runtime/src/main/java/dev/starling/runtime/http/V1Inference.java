package dev.starling.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.model.TensorSpec;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * KServe V1 {@code {"instances": [...]}} (and, for models with named features, a bare row object or
 * a list of them) to {@code {"predictions"}} post-processed by the model's signature config.
 */
final class V1Inference {
  private final Predictor predictor;
  private final ObjectMapper mapper;

  V1Inference(Predictor predictor) {
    this.predictor = predictor;
    this.mapper = new ObjectMapper(predictor.json());
  }

  byte[] predict(ServedModel m, RequestBody request, long maxBodyBytes) {
    ServedModel.Serving serving = m.acquire();
    if (serving == null) {
      throw ApiException.unavailable("model '" + m.name() + "' is not loaded");
    }
    DirectArena arena = DirectArena.local();
    try {
      byte[] body = Bodies.readJson(request, maxBodyBytes);
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
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  private static TensorSpec onlyInput(OnnxModel model) {
    if (model.signature().inputs().size() != 1) {
      throw ApiException.badRequest(
          "V1 instances need a one-input model; this one has "
              + model.signature().inputs().size()
              + " inputs: use the V2 infer endpoint");
    }
    return model.signature().inputs().get(0);
  }
}
