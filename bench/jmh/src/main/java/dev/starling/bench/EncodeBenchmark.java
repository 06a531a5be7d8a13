package dev.starling.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.DirectArena;
import dev.starling.runtime.pipeline.InferRequest;
import dev.starling.runtime.pipeline.InferRequestDecoder;
import dev.starling.runtime.pipeline.OutputTensor;
import dev.starling.runtime.pipeline.TensorWriter;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The model's outputs (computed once) → the OIP v2 response body, written the way {@code Predictor}
 * writes it: envelope by hand, each tensor by {@link TensorWriter}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EncodeBenchmark {
  @Param({"iris", "mlp", "heavy"})
  public String model;

  private LoadedModel loaded;
  private JsonFactory json;
  private List<OutputTensor> outputs;
  private final ByteArrayBuilder out = new ByteArrayBuilder(4096);

  @Setup(Level.Trial)
  public void setUp() {
    loaded = LoadedModel.load(model);
    json = loaded.predictor.json();
    ServedModel served = loaded.served;
    OnnxModel onnx = served.acquire().model();
    DirectArena arena = DirectArena.local();
    try {
      InferRequest req =
          new InferRequestDecoder(json, loaded.config.limits().maxElementsPerRequest())
              .decode(loaded.request, onnx.signature(), arena);
      outputs = loaded.predictor.predict(served, onnx, req.inputs(), null);
    } finally {
      arena.reset();
      onnx.release();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    loaded.close();
  }

  @Benchmark
  public byte[] encode() throws IOException {
    out.reset();
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model_name", loaded.served.name());
      g.writeStringField("model_version", loaded.served.version());
      g.writeArrayFieldStart("outputs");
      for (OutputTensor t : outputs) {
        TensorWriter.write(g, t);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }
}
