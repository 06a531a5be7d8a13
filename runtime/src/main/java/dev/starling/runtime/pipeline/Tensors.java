package dev.starling.runtime.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.starling.runtime.model.Datatype;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns decoded inputs into ONNX Runtime tensors; native buffers are wrapped, not copied. */
public final class Tensors {
  private Tensors() {}

  public static Map<String, OnnxTensor> create(OrtEnvironment env, List<InferInput> inputs)
      throws OrtException {
    Map<String, OnnxTensor> tensors = new HashMap<>(inputs.size() * 2);
    try {
      for (InferInput in : inputs) {
        TensorData d = in.data();
        OnnxTensor t =
            in.datatype() == Datatype.BYTES
                ? OnnxTensor.createTensor(env, d.strings(), in.shape())
                : OnnxTensor.createTensor(env, d.buffer(), in.shape(), in.datatype().javaType());
        tensors.put(in.name(), t);
      }
      return tensors;
    } catch (OrtException | RuntimeException e) {
      closeAll(tensors);
      throw e;
    }
  }

  public static void closeAll(Map<String, OnnxTensor> tensors) {
    for (OnnxTensor t : tensors.values()) {
      t.close();
    }
  }

  /**
   * Element {@code i} of a native-order tensor buffer as a double, for the numeric datatypes drift
   * and prediction counting read (FP32/64, INT8/16/32/64, UINT8, BOOL); NaN for any other.
   */
  public static double readAsDouble(Datatype dt, ByteBuffer b, int i) {
    return switch (dt) {
      case FP32 -> b.getFloat(i * 4);
      case FP64 -> b.getDouble(i * 8);
      case INT64 -> b.getLong(i * 8);
      case INT32 -> b.getInt(i * 4);
      case INT16 -> b.getShort(i * 2);
      case INT8 -> b.get(i);
      case UINT8, BOOL -> b.get(i) & 0xff;
      default -> Double.NaN;
    };
  }

  /**
   * The index of the largest of the {@code n} elements starting at element {@code at} (the first on
   * ties): a classifier's predicted class for one row of scores.
   */
  public static int argMax(Datatype dt, ByteBuffer b, int at, int n) {
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      double v = readAsDouble(dt, b, at + j);
      if (v > max) {
        max = v;
        best = j;
      }
    }
    return best;
  }
}
