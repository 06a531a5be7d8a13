package dev.starling.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.starling.runtime.testing.Samples;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One maximum-size call (the default element limit, 4,194,304 elements = 65,536 mlp rows) does not
 * leave ONNX Runtime's arena grown: the mlp's hidden layers need ~400 MiB for it, and without
 * {@link OnnxModel#releaseArena()} the region holding the call's outputs (138 MiB here) stayed
 * resident for the session's life.
 */
class LargeCallMemoryTest {
  private static final int ROWS = 65_536;
  private static final long LIMIT = 32L * 1024 * 1024; // issue 5: "returns within 32 MiB"

  @Test
  void aMaximumSizeCallGivesItsArenaMemoryBackOnceItsOutputsAreClosed() throws Exception {
    try (OnnxModel model = OnnxModel.load(Samples.model("mlp"), "test", 1)) {
      model.warmUp();
      ByteBuffer zeros =
          ByteBuffer.allocateDirect(ROWS * 64 * Float.BYTES).order(ByteOrder.nativeOrder());
      for (int i = 0; i < 200; i++) { // ordinary calls: the arena at its working size
        call(model, zeros, 1 + i % 16, false);
      }
      long before = ModelSwapTest.rssBytes();
      call(model, zeros, ROWS, true);
      model.releaseArena();
      long kept = ModelSwapTest.rssBytes() - before;
      assertThat(kept).as("RSS kept after one %d-row call, bytes", ROWS).isLessThan(LIMIT);
      call(model, zeros, 1, false); // and the session keeps serving
    }
  }

  private static void call(OnnxModel model, ByteBuffer data, int rows, boolean large)
      throws Exception {
    ByteBuffer slice = data.slice(0, rows * 64 * Float.BYTES).order(ByteOrder.nativeOrder());
    try (OnnxTensor t =
            OnnxTensor.createTensor(
                model.environment(), slice.asFloatBuffer(), new long[] {rows, 64});
        OrtSession.Result r = model.run(Map.of("input", t), null, large)) {
      assertThat(r.size()).isPositive();
    }
  }
}
