package dev.starling.runtime.pipeline;

import dev.starling.runtime.model.Datatype;
import java.util.List;
import java.util.function.ObjIntConsumer;

/**
 * The class each row of a classifier's answer predicts, for the per-class prediction counter: the
 * arg-max column of the output the signature's labels read ({@code [N, len(labels)]}), named by its
 * label. Only models with {@code signature.labels} are counted, so the label values are the
 * configured list and the metric's cardinality stays bounded by it.
 *
 * <p>Example: labels [legit, fraud], output probabilities [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]] →
 * legit 1, fraud 2.
 */
public final class PredictedClasses {

  private PredictedClasses() {}

  /** Calls {@code sink} once per label that won at least one row, with its row count. */
  public static void count(
      SignatureBinding binding, List<OutputTensor> outputs, ObjIntConsumer<String> sink) {
    if (binding == null || !binding.hasLabels()) {
      return;
    }
    List<String> labels = binding.labels();
    for (OutputTensor out : outputs) {
      if (!out.name().equals(binding.labelOutput().name())
          || out.data() == null
          || out.shape().length != 2
          || out.shape()[1] != labels.size()
          || !numeric(out.datatype())) {
        continue;
      }
      int rows = (int) out.shape()[0];
      int per = labels.size();
      int[] wins = new int[per];
      for (int r = 0; r < rows; r++) {
        wins[out.argMax(r, per)]++;
      }
      for (int j = 0; j < per; j++) {
        if (wins[j] > 0) {
          sink.accept(labels.get(j), wins[j]);
        }
      }
      return;
    }
  }

  private static boolean numeric(Datatype dt) {
    return dt == Datatype.FP32
        || dt == Datatype.FP64
        || dt == Datatype.INT64
        || dt == Datatype.INT32;
  }
}
