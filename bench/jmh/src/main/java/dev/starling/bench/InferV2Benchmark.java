package dev.starling.bench;

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
 * {@code Predictor.inferV2}: body bytes in, response bytes out, with the real ONNX Runtime session
 * in between; everything an infer request costs except HTTP.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InferV2Benchmark {
  @Param({"iris", "mlp", "heavy"})
  public String model;

  private LoadedModel loaded;

  @Setup(Level.Trial)
  public void setUp() {
    loaded = LoadedModel.load(model);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    loaded.close();
  }

  @Benchmark
  public byte[] inferV2() {
    return loaded.predictor.inferV2(loaded.served, loaded.request);
  }
}
