package dev.starling.runtime.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.starling.runtime.model.Datatype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes KServe V1 {@code predictions}, one per input row. With labels configured a prediction is
 * {@code {"label", "probabilities": {label: p}, "top_k": [...]}}; otherwise it is the row of the
 * single output, or an object of every output's row.
 */
public final class PredictionWriter {
  private PredictionWriter() {}

  public static void write(JsonGenerator g, SignatureBinding b, OrtSession.Result result, int rows)
      throws IOException, OrtException {
    g.writeArrayFieldStart("predictions");
    if (b.hasLabels()) {
      OnnxTensor scores = (OnnxTensor) result.get(b.labelOutput().name()).orElseThrow();
      writeLabelled(g, b, scores, rows);
    } else {
      for (int r = 0; r < rows; r++) {
        if (result.size() == 1) {
          writeRow(g, (OnnxTensor) result.get(0), r, rows);
        } else {
          g.writeStartObject();
          for (Map.Entry<String, OnnxValue> e : result) {
            g.writeFieldName(e.getKey());
            writeRow(g, (OnnxTensor) e.getValue(), r, rows);
          }
          g.writeEndObject();
        }
      }
    }
    g.writeEndArray();
  }

  private static void writeLabelled(
      JsonGenerator g, SignatureBinding b, OnnxTensor scores, int rows) throws IOException {
    List<String> labels = b.labels();
    int k = labels.size();
    double[] row = new double[k];
    ByteBuffer buf = scores.getByteBuffer().order(ByteOrder.nativeOrder());
    boolean fp32 = Datatype.fromOnnx(scores.getInfo().onnxType) == Datatype.FP32;
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < k; i++) {
        int at = r * k + i;
        row[i] = fp32 ? buf.getFloat(at * 4) : buf.getDouble(at * 8);
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
  private static void writeRow(JsonGenerator g, OnnxTensor t, int r, int rows)
      throws IOException, OrtException {
    long[] shape = t.getInfo().getShape();
    long total = Arrays.stream(shape).reduce(1, (a, c) -> a * c);
    int per = (int) (total / Math.max(rows, 1));
    Datatype dt = Datatype.fromOnnx(t.getInfo().onnxType);
    if (dt == Datatype.BYTES) {
      throw new IllegalStateException("V1 predictions need numeric outputs, got " + dt);
    }
    ByteBuffer buf = t.getByteBuffer().order(ByteOrder.nativeOrder());
    if (shape.length <= 1) {
      TensorWriter.writeElement(g, dt, buf, r);
      return;
    }
    g.writeStartArray();
    for (int i = 0; i < per; i++) {
      TensorWriter.writeElement(g, dt, buf, r * per + i);
    }
    g.writeEndArray();
  }
}
