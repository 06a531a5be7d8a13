package dev.starling.runtime.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Native input and output tensors for calls of one row count, kept and reused call after call. The
 * caller copies a request's elements into {@link #input}; ONNX Runtime writes the outputs straight
 * into {@link #output} (pinned outputs). So a small call creates and closes no tensor, and ONNX
 * Runtime's Java binding builds no result tensor, whose class and method lookups were a visible
 * part of a small model's call. One caller at a time: borrowed from its {@link OnnxModel} for one
 * call and given back when the outputs are copied out.
 */
public final class CallSlot implements AutoCloseable {
  private final int rows;
  private final Map<String, Tensor> inputs = new HashMap<>();
  private final Map<String, Tensor> outputs = new HashMap<>();
  private final Map<String, OnnxTensor> inputTensors = new HashMap<>();
  private final Map<String, OnnxTensor> allOutputTensors = new HashMap<>();

  /** One reused tensor: its type and shape, its native-order direct buffer, ONNX Runtime's view. */
  public record Tensor(Datatype datatype, long[] shape, ByteBuffer buffer, OnnxTensor ort) {}

  /** The outputs a call showed ONNX Runtime writes in place in this slot. */
  private final Set<String> checked = new HashSet<>();

  private CallSlot(int rows) {
    this.rows = rows;
  }

  /**
   * Tensors for {@code rows} rows of a model whose inputs and outputs all have a known shape once
   * the first dim is set ({@link #shapeFor}; see {@link CallSlots#usable}).
   */
  static CallSlot create(OrtEnvironment env, ModelSignature sig, int rows) throws OrtException {
    CallSlot slot = new CallSlot(rows);
    try {
      add(env, sig.inputs(), rows, slot.inputs, slot.inputTensors);
      add(env, sig.outputs(), rows, slot.outputs, slot.allOutputTensors);
      return slot;
    } catch (OrtException | RuntimeException e) {
      slot.close();
      throw e;
    }
  }

  private static void add(
      OrtEnvironment env,
      List<TensorSpec> specs,
      int rows,
      Map<String, Tensor> into,
      Map<String, OnnxTensor> ort)
      throws OrtException {
    for (TensorSpec spec : specs) {
      long[] shape = shapeFor(spec, rows);
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      ByteBuffer buf =
          ByteBuffer.allocateDirect(Math.toIntExact(n * spec.datatype().size()))
              .order(ByteOrder.nativeOrder());
      OnnxTensor t = OnnxTensor.createTensor(env, buf, shape, spec.datatype().javaType());
      into.put(spec.name(), new Tensor(spec.datatype(), shape, buf, t));
      ort.put(spec.name(), t);
    }
  }

  /**
   * The shape of {@code spec} in a call of {@code rows} rows: a free first dim becomes {@code
   * rows}; every other dim must be fixed. Example: probabilities [-1, 3], 2 rows → [2, 3]. Null
   * when a later dim is free (its size depends on the request, not on the row count).
   */
  static long[] shapeFor(TensorSpec spec, int rows) {
    long[] shape = spec.shape().clone();
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] < 0) {
        if (d > 0) {
          return null;
        }
        shape[d] = rows;
      }
    }
    return shape;
  }

  /** Bytes of native memory the slot holds. */
  long bytes() {
    long sum = 0;
    for (Tensor t : inputs.values()) {
      sum += t.buffer().capacity();
    }
    for (Tensor t : outputs.values()) {
      sum += t.buffer().capacity();
    }
    return sum;
  }

  public int rows() {
    return rows;
  }

  /** The reused input tensor named {@code name}, or null if the model has no such input. */
  public Tensor input(String name) {
    return inputs.get(name);
  }

  /** The reused output tensor named {@code name}: valid after a call until the slot is reused. */
  public Tensor output(String name) {
    return outputs.get(name);
  }

  /**
   * True once calls showed that ONNX Runtime writes each of the outputs {@code names} into this
   * slot's buffers. Its C API leaves a pre-allocated output as it is when the graph produced that
   * output elsewhere (it does not hand back another value then), so the first call on a slot that
   * asks for an output checks this: see {@link #mark}. Per output, because a call may ask for only
   * some of them.
   */
  public boolean checked(Iterable<String> names) {
    for (String name : names) {
      if (!checked.contains(name)) {
        return false;
      }
    }
    return true;
  }

  /** Fills every output buffer with {@code 0xFF} bytes (a NaN pattern) before the first call. */
  public void mark() {
    for (Tensor t : outputs.values()) {
      ByteBuffer b = t.buffer();
      for (int i = 0; i < b.capacity(); i++) {
        b.put(i, (byte) 0xFF);
      }
    }
  }

  /**
   * After the first call on a {@link #mark}ed slot: true (and the slot counts as checked) if every
   * output named holds something other than the mark, i.e. ONNX Runtime wrote it in place; an empty
   * output counts as written.
   */
  public boolean writtenInPlace(Iterable<String> names) {
    for (String name : names) {
      ByteBuffer b = outputs.get(name).buffer();
      boolean written = b.capacity() == 0;
      for (int i = 0; i < b.capacity() && !written; i++) {
        written = b.get(i) != (byte) 0xFF;
      }
      if (!written) {
        return false;
      }
    }
    for (String name : names) {
      checked.add(name);
    }
    return true;
  }

  Map<String, OnnxTensor> inputTensors() {
    return inputTensors;
  }

  /** ONNX Runtime's output tensors for the outputs {@code wanted}; null means all of them. */
  Map<String, OnnxTensor> outputTensors(Iterable<String> wanted) {
    if (wanted == null) {
      return allOutputTensors;
    }
    Map<String, OnnxTensor> m = new HashMap<>();
    for (String name : wanted) {
      m.put(name, allOutputTensors.get(name));
    }
    return m;
  }

  @Override
  public void close() {
    inputTensors.values().forEach(OnnxTensor::close);
    allOutputTensors.values().forEach(OnnxTensor::close);
  }
}
