package dev.starling.runtime.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.starling.runtime.model.Datatype;
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
}
