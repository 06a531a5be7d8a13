package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PredictedClassesTest {

  private static final SignatureBinding FRAUD =
      new SignatureBinding(
          null,
          List.of(),
          new TensorSpec("probabilities", Datatype.FP32, new long[] {-1, 2}, null),
          List.of("legit", "fraud"),
          0);

  static OutputTensor fp32(String name, int rows, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.nativeOrder());
    for (float v : values) {
      b.putFloat(v);
    }
    b.flip();
    return new OutputTensor(name, Datatype.FP32, new long[] {rows, values.length / rows}, b, null);
  }

  static Map<String, Integer> count(SignatureBinding binding, List<OutputTensor> outs) {
    Map<String, Integer> counts = new TreeMap<>();
    PredictedClasses.count(binding, outs, (label, n) -> counts.merge(label, n, Integer::sum));
    return counts;
  }

  @Test
  void eachRowCountsItsArgMaxLabel() {
    var probs = fp32("probabilities", 3, 0.9f, 0.1f, 0.2f, 0.8f, 0.3f, 0.7f);
    var label = new OutputTensor("label", Datatype.INT64, new long[] {3}, null, null);

    assertThat(count(FRAUD, List.of(label, probs)))
        .containsExactly(Map.entry("fraud", 2), Map.entry("legit", 1));
  }

  @Test
  void nothingCountedWithoutLabelsOrWithoutTheLabelledOutput() {
    var probs = fp32("probabilities", 1, 0.9f, 0.1f);
    var none = new SignatureBinding(null, List.of(), null, List.of(), 0);

    assertThat(count(none, List.of(probs))).isEmpty();
    assertThat(count(null, List.of(probs))).isEmpty();
    assertThat(count(FRAUD, List.of(fp32("other", 1, 0.9f, 0.1f)))).isEmpty();
    // a shape that does not match the label list is not guessed at
    assertThat(count(FRAUD, List.of(fp32("probabilities", 1, 0.1f, 0.2f, 0.7f)))).isEmpty();
  }
}
