package dev.starling.bench;

import dev.starling.runtime.model.ModelSignature;
import dev.starling.runtime.pipeline.DirectArena;
import dev.starling.runtime.pipeline.InferRequest;
import dev.starling.runtime.pipeline.InferRequestDecoder;
import dev.starling.runtime.pipeline.JsonLimits;
import dev.starling.runtime.pipeline.RequestValidator;
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

/** Request body bytes → typed tensors in native buffers, checked against the signature. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecodeValidateBenchmark {
  @Param({"iris", "mlp", "heavy"})
  public String model;

  private LoadedModel loaded;
  private InferRequestDecoder decoder;
  private ModelSignature signature;
  private DirectArena arena;

  @Setup(Level.Trial)
  public void setUp() {
    loaded = LoadedModel.load(model);
    decoder =
        new InferRequestDecoder(
            JsonLimits.factory(loaded.config.limits(), loaded.config.server().maxRequestBytes()),
            loaded.config.limits().maxElementsPerRequest());
    signature = loaded.served.model().signature();
    arena = DirectArena.local();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    loaded.close();
  }

  @Benchmark
  public InferRequest decodeValidate() {
    try {
      InferRequest req = decoder.decode(loaded.request, signature, arena);
      RequestValidator.validate(req, signature);
      return req;
    } finally {
      arena.reset();
    }
  }
}
