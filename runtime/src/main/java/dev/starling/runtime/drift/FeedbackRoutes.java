package dev.starling.runtime.drift;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.pipeline.InferenceListener;
import dev.starling.runtime.pipeline.SignatureBinding;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Ground truth after the fact. For a labelled model, every successful OIP v2 infer request with an
 * {@code id} and one row has its predicted label remembered (read back from the response bytes the
 * client gets, so it is exactly what the client saw); {@code POST /v2/models/{m}/feedback} with
 * {@code {"id": "...", "label": "..."}} then scores it. V1 requests carry no id and are not
 * remembered.
 */
final class FeedbackRoutes {
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

  private final ModelRegistry models;
  private final Map<String, FeedbackLedger> ledgers;

  FeedbackRoutes(ModelRegistry models, Map<String, FeedbackLedger> ledgers) {
    this.models = models;
    this.ledgers = Map.copyOf(ledgers);
  }

  /** Adds the feedback endpoint; the answer is what to tell of every successful v2 answer. */
  InferenceListener register(RoutesConfig r) {
    r.post("/v2/models/{model}/feedback", this::feedback);
    return this::remember;
  }

  /** Remembers the predicted label of a successful v2 answer, read from the bytes sent. */
  private void remember(ServedModel m, byte[] response) {
    FeedbackLedger ledger = ledgers.get(m.name());
    if (ledger == null || m.binding() == null) {
      return;
    }
    try {
      Prediction p = read(new ByteArrayInputStream(response), m.binding());
      if (p != null) {
        ledger.remember(p.id(), p.label());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void feedback(Context ctx) throws IOException {
    String name = ctx.pathParam("model");
    ServedModel m = models.get(name);
    FeedbackLedger ledger = ledgers.get(name);
    if (m == null || ledger == null || m.binding() == null) {
      throw ApiException.notFound(
          "no feedback for model '" + clip(name) + "': it is not served, or has no labels");
    }
    JsonNode req;
    try {
      req = MAPPER.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      throw ApiException.badRequest("feedback must be JSON {\"id\": \"...\", \"label\": \"...\"}");
    }
    if (req == null
        || !req.isObject()
        || !req.path("id").isTextual()
        || !req.path("label").isTextual()) {
      throw ApiException.badRequest(
          "feedback must be {\"id\": \"<request id>\", \"label\": \"<class>\"}");
    }
    int label = m.binding().labels().indexOf(req.get("label").textValue());
    if (label < 0) {
      throw ApiException.badRequest(
          "label '"
              + clip(req.get("label").textValue())
              + "' is not one of "
              + m.binding().labels());
    }
    String id = req.get("id").textValue();
    FeedbackLedger.Verdict v = ledger.judge(id, label);
    if (v == FeedbackLedger.Verdict.UNKNOWN_ID) {
      throw ApiException.notFound(
          "no prediction with id '"
              + clip(id)
              + "' is waiting for feedback (unknown, expired, or already scored)");
    }
    ctx.contentType("application/json")
        .result(MAPPER.writeValueAsBytes(Map.of("id", id, "result", v.name().toLowerCase())));
  }

  /** What the client was told: the response's id and the arg-max of its one-row label output. */
  record Prediction(String id, int label) {}

  static Prediction read(InputStream response, SignatureBinding b) throws IOException {
    if (!b.hasLabels()) {
      return null;
    }
    String id = null;
    try (JsonParser p = JSON.createParser(response)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("id") && p.currentToken() == JsonToken.VALUE_STRING) {
          id = p.getText();
        } else if (field.equals("outputs") && id != null) {
          return readOutputs(p, id, b.labelOutput().name());
        } else if (field.equals("outputs")) {
          return null; // the id comes first; none means nothing to remember
        } else {
          p.skipChildren();
        }
      }
    }
    return null;
  }

  private static Prediction readOutputs(JsonParser p, String id, String labelOutput)
      throws IOException {
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String name = null;
      long rows = -1;
      int best = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "name" -> name = p.getText();
          case "shape" -> {
            for (int k = 0; p.nextToken() != JsonToken.END_ARRAY; k++) {
              rows = k == 0 ? p.getLongValue() : rows;
            }
          }
          case "data" -> best = labelOutput.equals(name) ? argMax(p) : skip(p);
          default -> p.skipChildren();
        }
      }
      if (labelOutput.equals(name)) {
        return rows == 1 && best >= 0 ? new Prediction(id, best) : null;
      }
    }
    return null;
  }

  private static int argMax(JsonParser p) throws IOException {
    int best = -1;
    double max = Double.NEGATIVE_INFINITY;
    int i = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      double v = p.getValueAsDouble();
      if (v > max) {
        max = v;
        best = i;
      }
      i++;
    }
    return best;
  }

  private static int skip(JsonParser p) throws IOException {
    p.skipChildren();
    return -1;
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
