package dev.starling.runtime.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.starling.runtime.model.Datatype;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes KServe V1 {@code predictions}, one per input row. With labels configured a prediction is
 * {@code {"label", "probabilities": {label: p}, "top_k": [...]}}; otherwise it is the row of the
 * single output, or an object of every output's row.
 */
public final class PredictionWriter {
  private PredictionWriter() {}

  public static void write(
      JsonGenerator g, SignatureBinding b, List<OutputTensor> outputs, int rows)
      throws IOException {
    g.writeArrayFieldStart("predictions");
    if (b.hasLabels()) {
      writeLabelled(g, b, find(outputs, b.labelOutput().name()), rows);
    } else {
      for (int r = 0; r < rows; r++) {
        if (outputs.size() == 1) {
          writeRow(g, outputs.get(0), r, rows);
        } else {
          g.writeStartObject();
          for (OutputTensor t : outputs) {
            g.writeFieldName(t.name());
            writeRow(g, t, r, rows);
          }
          g.writeEndObject();
        }
      }
    }
    g.writeEndArray();
  }

  private static OutputTensor find(List<OutputTensor> outputs, String name) {
    return outputs.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private static void writeLabelled(
      JsonGenerator g, SignatureBinding b, OutputTensor scores, int rows) throws IOException {
    List<String> labels = b.labels();
    int k = labels.size();
    double[] row = new double[k];
    boolean fp32 = scores.datatype() == Datatype.FP32;
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < k; i++) {
        int at = r * k + i;
        row[i] = fp32 ? scores.data().getFloat(at * 4) : scores.data().getDouble(at * 8);
      }
      Integer[] order = new Integer[k];
      Arrays.setAll(order, i -> i);
      Arrays.sort(order, Comparator.comparingDouble((Integer i) -> row[i]).reversed());
      g.writeStartObject();
      g.writeStringField("label", labels.get(order[0]));
      g.writeObjectFieldStart("probabilities");
      for (int i = 0; i < k; i++) {
        g.writeNumberField(labels.get(i), (float) row[i]);
      }
      g.writeEndObject();
      if (b.topK() > 0) {
        g.writeArrayFieldStart("top_k");
        for (int i = 0; i < b.topK(); i++) {
          g.writeStartObject();
          g.writeStringField("label", labels.get(order[i]));
          g.writeNumberField("probability", (float) row[order[i]]);
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
  }

  /** Row {@code r} of a tensor whose first dimension is the batch: a scalar or a flat array. */
  private static void writeRow(JsonGenerator g, OutputTensor t, int r, int rows)
      throws IOException {
    int per = t.count() / Math.max(rows, 1);
    if (t.datatype() == Datatype.BYTES) {
      throw new IllegalStateException("V1 predictions need numeric outputs, got BYTES");
    }
    if (t.shape().length <= 1) {
      TensorWriter.writeElement(g, t.datatype(), t.data(), r);
      return;
    }
    g.writeStartArray();
    for (int i = 0; i < per; i++) {
      TensorWriter.writeElement(g, t.datatype(), t.data(), r * per + i);
    }
    g.writeEndArray();
  }
}
