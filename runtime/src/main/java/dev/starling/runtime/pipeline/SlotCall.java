package dev.starling.runtime.pipeline;

import ai.onnxruntime.OrtException;
import dev.starling.runtime.metrics.ModelMeters;
import dev.starling.runtime.model.CallSlot;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.model.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One ONNX Runtime call on a session's reused tensors ({@link CallSlot}): the request's elements
 * are copied in, the outputs copied out into heap buffers of their own before the slot is given
 * back, so no answer can see another call's values.
 */
final class SlotCall {
  private SlotCall() {}

  /**
   * The outputs ({@code wanted} null: all, in the signature's order; else in {@code wanted}'s), or
   * null when this call cannot use a slot; the caller then runs it with fresh tensors. The caller
   * holds an inference permit where one is needed.
   */
  static List<OutputTensor> run(
      OnnxModel model, List<InferInput> inputs, Set<String> wanted, ModelMeters meters)
      throws OrtException {
    long[] shape = inputs.isEmpty() ? null : inputs.get(0).shape();
    if (shape == null || shape.length == 0) {
      return null;
    }
    CallSlot slot = model.borrowSlot(shape[0]);
    if (slot == null) {
      return null;
    }
    try {
      List<String> names = outputNames(model, wanted);
      if (!fill(slot, model, inputs) || !has(slot, names)) {
        return null;
      }
      boolean first = !slot.checked(names);
      if (first) {
        slot.mark();
      }
      long t0 = System.nanoTime();
      model.run(slot, wanted);
      meters.inference(System.nanoTime() - t0);
      if (first && !slot.writtenInPlace(names)) {
        model.disableSlots("ONNX Runtime did not write the outputs into them");
        return null;
      }
      List<OutputTensor> outs = new ArrayList<>(names.size());
      for (String name : names) {
        outs.add(copyOut(name, slot.output(name)));
      }
      return outs;
    } finally {
      model.giveBack(slot);
    }
  }

  private static List<String> outputNames(OnnxModel model, Set<String> wanted) {
    if (wanted != null) {
      return new ArrayList<>(wanted);
    }
    List<String> names = new ArrayList<>(model.signature().outputs().size());
    for (TensorSpec t : model.signature().outputs()) {
      names.add(t.name());
    }
    return names;
  }

  /** Copies each input into the slot; false if the request's inputs do not fit the slot's. */
  private static boolean fill(CallSlot slot, OnnxModel model, List<InferInput> inputs) {
    if (inputs.size() != model.signature().inputs().size()) {
      return false;
    }
    for (InferInput in : inputs) {
      CallSlot.Tensor t = slot.input(in.name());
      ByteBuffer src = in.data().buffer();
      if (t == null
          || src == null
          || t.datatype() != in.datatype()
          || !Arrays.equals(t.shape(), in.shape())
          || src.limit() != t.buffer().capacity()) {
        return false;
      }
    }
    for (InferInput in : inputs) {
      ByteBuffer src = in.data().buffer();
      slot.input(in.name()).buffer().put(0, src, 0, src.limit());
    }
    return true;
  }

  private static boolean has(CallSlot slot, List<String> names) {
    for (String name : names) {
      if (slot.output(name) == null) {
        return false;
      }
    }
    return true;
  }

  private static OutputTensor copyOut(String name, CallSlot.Tensor t) {
    ByteBuffer src = t.buffer();
    ByteBuffer copy = ByteBuffer.allocate(src.capacity()).order(ByteOrder.nativeOrder());
    copy.put(0, src, 0, src.capacity());
    return new OutputTensor(name, t.datatype(), t.shape().clone(), copy, null);
  }
}
