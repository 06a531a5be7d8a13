package dev.starling.runtime.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.starling.runtime.model.Datatype;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model output copied out of ONNX Runtime (so the native result can be closed at once): elements
 * in a native-order heap buffer, or strings. Rows of a batched output are slices of one copy.
 */
public record OutputTensor(
    String name, Datatype datatype, long[] shape, ByteBuffer data, String[] strings) {

  /** Copies an ONNX Runtime output (one copy for numbers). */
  public static OutputTensor of(String name, OnnxTensor t) throws OrtException {
    Datatype dt = Datatype.fromOnnx(t.getInfo().onnxType);
    long[] shape = t.getInfo().getShape();
    if (dt == Datatype.BYTES) {
      List<String> flat = new ArrayList<>();
      flatten(t.getValue(), flat);
      return new OutputTensor(name, dt, shape, null, flat.toArray(String[]::new));
    }
    return new OutputTensor(
        name, dt, shape, t.getByteBuffer().order(ByteOrder.nativeOrder()), null);
  }

  public int count() {
    return strings != null ? strings.length : data.limit() / datatype.size();
  }

  /**
   * The column of the largest value in row {@code row} of a numeric output with {@code perRow}
   * columns (the first on ties): a classifier's predicted class.
   */
  public int argMax(int row, int perRow) {
    return Tensors.argMax(datatype, data, row * perRow, perRow);
  }

  /**
   * Rows {@code [from, from + n)} along the first dimension. Example: shape [5, 3] FP32, rows 2..4
   * → shape [2, 3], bytes [2*3*4, 4*3*4) of the buffer, not copied.
   */
  public OutputTensor rows(int from, int n) {
    long[] s = shape.clone();
    long total = s[0];
    s[0] = n;
    int per = total == 0 ? 0 : (int) (count() / total);
    if (strings != null) {
      return new OutputTensor(
          name, datatype, s, null, Arrays.copyOfRange(strings, from * per, (from + n) * per));
    }
    int size = datatype.size();
    ByteBuffer slice = data.slice(from * per * size, n * per * size).order(ByteOrder.nativeOrder());
    return new OutputTensor(name, datatype, s, slice, null);
  }

  private static void flatten(Object value, List<String> out) {
    if (value instanceof String s) {
      out.add(s);
    } else if (value != null && value.getClass().isArray()) {
      int n = Array.getLength(value);
      for (int i = 0; i < n; i++) {
        flatten(Array.get(value, i), out);
      }
    }
  }
}
