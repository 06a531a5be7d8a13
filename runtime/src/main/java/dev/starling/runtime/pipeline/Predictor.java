package dev.starling.runtime.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.starling.runtime.config.BatchingConfig;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.model.ServedModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference path of the Open Inference Protocol: decode → validate → (batch) → ONNX Runtime
 * inside the {@link InferenceGate} → streamed JSON. Runs on the request's thread; the thread's
 * {@link DirectArena} holds the input tensors and is reset when the request ends.
 */
public final class Predictor {
  private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);
  private static final ThreadLocal<ByteArrayBuilder> OUT =
      ThreadLocal.withInitial(() -> new ByteArrayBuilder(4096));

  private final JsonFactory json;
  private final InferRequestDecoder decoder;
  private final InferenceGate gate;
  private final Map<ServedModel, Batcher> batchers = new ConcurrentHashMap<>();

  public Predictor(JsonFactory json, long maxElements, InferenceGate gate) {
    this.json = json;
    this.decoder = new InferRequestDecoder(json, maxElements);
    this.gate = gate;
  }

  public JsonFactory json() {
    return json;
  }

  /** Answers one OIP v2 infer request body with the response body. */
  public byte[] inferV2(ServedModel served, byte[] body) {
    ServedModel.Serving serving = served.acquire();
    if (serving == null) {
      throw ApiException.unavailable("model '" + served.name() + "' is not loaded");
    }
    OnnxModel model = serving.model();
    DirectArena arena = DirectArena.local();
    try {
      InferRequest req = decoder.decode(body, model.signature(), arena);
      RequestValidator.validate(req, model.signature());
      Set<String> outputs = req.outputs() == null ? null : new LinkedHashSet<>(req.outputs());
      return encode(served, req.id(), predict(served, model, req.inputs(), outputs));
    } finally {
      arena.reset();
      model.release();
    }
  }

  /** Runs validated inputs through the model (batched with other requests where configured). */
  public List<OutputTensor> predict(
      ServedModel served, OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
    PredictionCache cache = served.cache();
    PredictionCache.Key key = null;
    List<OutputTensor> outs = null;
    if (cache != null) {
      key = PredictionCache.key(model.sha256(), inputs, outputs);
      outs = cache.get(key);
    }
    if (outs == null) {
      outs = batcher(served).infer(model, inputs, outputs);
      if (cache != null) {
        cache.put(key, outs);
      }
    }
    served.observer().observe(served, inputs, outs);
    PredictedClasses.count(served.binding(), outs, served.meters()::predicted);
    return outs;
  }

  private Batcher batcher(ServedModel served) {
    Batcher b = batchers.get(served);
    if (b != null) {
      BatchingConfig wanted = served.config().batching();
      if (!wanted.equals(b.config())) {
        b.reconfigure(wanted); // a reloaded runtime.yaml changed them
      }
      return b;
    }
    return batchers.computeIfAbsent(
        served,
        s ->
            new Batcher(gate, s.config().batching(), s.meters(), (m, i, o) -> runOnce(s, m, i, o)));
  }

  /**
   * One ONNX Runtime call; the caller holds an inference permit. A small call runs on the session's
   * reused tensors ({@link SlotCall}); if that fails where a call with fresh tensors succeeds, the
   * model's outputs do not have the shapes its signature promises and it stops using them.
   */
  private List<OutputTensor> runOnce(
      ServedModel served, OnnxModel model, List<InferInput> inputs, Set<String> outputs) {
    boolean large = large(inputs);
    if (!large) {
      try {
        List<OutputTensor> outs = SlotCall.run(model, inputs, outputs, served.meters());
        if (outs != null) {
          return outs;
        }
      } catch (OrtException e) {
        List<OutputTensor> outs = runFresh(served, model, inputs, outputs, false);
        model.disableSlots(
            "a call failed on them (" + firstLine(e.getMessage()) + ") but not without");
        return outs;
      }
    }
    return runFresh(served, model, inputs, outputs, large);
  }

  /** One ONNX Runtime call on tensors made for it; outputs copied out of the native result. */
  private List<OutputTensor> runFresh(
      ServedModel served,
      OnnxModel model,
      List<InferInput> inputs,
      Set<String> outputs,
      boolean large) {
    Map<String, OnnxTensor> tensors = null;
    try {
      tensors = Tensors.create(model.environment(), inputs);
      long t0 = System.nanoTime();
      List<OutputTensor> outs;
      try (OrtSession.Result result = model.run(tensors, outputs, large)) {
        served.meters().inference(System.nanoTime() - t0);
        outs = new ArrayList<>(result.size());
        for (Map.Entry<String, OnnxValue> e : result) {
          outs.add(OutputTensor.of(e.getKey(), (OnnxTensor) e.getValue()));
        }
      }
      if (large) {
        model.releaseArena(); // the outputs are copied out and closed: now their region can go
      }
      return outs;
    } catch (OrtException e) {
      throw modelError(served, e);
    } finally {
      if (tensors != null) {
        Tensors.closeAll(tensors);
      }
    }
  }

  /**
   * Calls with more input elements than this give ONNX Runtime's arena memory back when they end,
   * so one huge batch does not stay resident; ordinary requests and batches keep the arena warm.
   */
  static final long LARGE_CALL_ELEMENTS = 64 * 1024;

  private static boolean large(List<InferInput> inputs) {
    long elements = 0;
    for (InferInput in : inputs) {
      elements += Shapes.elementCount(in.shape(), Long.MAX_VALUE); // validated: no overflow
    }
    return elements > LARGE_CALL_ELEMENTS;
  }

  private byte[] encode(ServedModel served, String id, List<OutputTensor> outputs) {
    ByteArrayBuilder out = OUT.get();
    out.reset();
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model_name", served.name());
      g.writeStringField("model_version", served.version());
      if (id != null) {
        g.writeStringField("id", id);
      }
      g.writeArrayFieldStart("outputs");
      for (OutputTensor t : outputs) {
        TensorWriter.write(g, t);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("could not encode the model's outputs", e);
    }
    return out.toByteArray(); // copies, then resets the builder for the thread's next request
  }

  /**
   * ONNX Runtime says INVALID_ARGUMENT when the input does not fit the model (e.g. a shape mismatch
   * inside the graph): that is the client's to fix, so 400. Anything else is a fault of the model
   * or the runtime: 500, with the details in the log only.
   */
  static ApiException modelError(ServedModel served, OrtException e) {
    if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
      return ApiException.badRequest("the model rejected the input: " + firstLine(e.getMessage()));
    }
    LOG.error("inference failed for model {} version {}", served.name(), served.version(), e);
    return new ApiException(500, "inference failed inside the model; see the server log");
  }

  private static String firstLine(String msg) {
    if (msg == null) {
      return "";
    }
    String m = msg.replaceFirst("^Error code - ORT_INVALID_ARGUMENT - message: ", "");
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() <= 300 ? m : m.substring(0, 300) + "…";
  }
}
