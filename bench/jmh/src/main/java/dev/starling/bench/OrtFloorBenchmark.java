package dev.starling.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The floor: ONNX Runtime alone, no Starling code. Create the input tensor over a ready direct
 * buffer, run, copy every output out; one thread, batch 1, the session options {@code OnnxModel}
 * uses (1 intra-op thread, no spinning, all graph optimisations).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OrtFloorBenchmark {
  @Param({"iris", "mlp", "heavy"})
  public String model;

  private OrtEnvironment env;
  private OrtSession session;
  private String inputName;
  private long[] shape;
  private FloatBuffer input;

  @Setup(Level.Trial)
  public void setUp() throws OrtException, IOException {
    env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      session = env.createSession(Samples.model(model).toString(), options);
    }
    // The sample requests all carry one FP32 input.
    JsonNode in = new ObjectMapper().readTree(Samples.request(model)).get("inputs").get(0);
    inputName = in.get("name").asText();
    JsonNode dims = in.get("shape");
    shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).asLong();
    }
    JsonNode data = in.get("data");
    input =
        ByteBuffer.allocateDirect(data.size() * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (JsonNode v : data) {
      input.put(v.floatValue());
    }
    input.flip();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws OrtException {
    session.close();
  }

  @Benchmark
  public void createRunRead(Blackhole bh) throws OrtException {
    try (OnnxTensor t = OnnxTensor.createTensor(env, input.duplicate(), shape);
        OrtSession.Result r = session.run(Map.of(inputName, t))) {
      for (Map.Entry<String, OnnxValue> e : r) {
        bh.consume(((OnnxTensor) e.getValue()).getByteBuffer());
      }
    }
  }
}
