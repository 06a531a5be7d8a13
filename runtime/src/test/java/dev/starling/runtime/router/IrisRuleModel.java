package dev.starling.runtime.router;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second iris classifier that really runs in ONNX Runtime but answers differently from {@code
 * samples/models/iris.onnx} on some inputs: a hand-set rule on petal length alone (setosa below 2.5
 * cm, virginica above 4.5 cm, versicolor between), where the bundled logistic regression puts the
 * versicolor/virginica border nearer 4.9 cm and also looks at the other features. Same input
 * ({@code float_input} FP32 [N,4]) and outputs ({@code label} INT64 [N], {@code probabilities} FP32
 * [N,3]) as iris, so it can shadow it. Written as ONNX protobuf by hand (opset 17, IR 8) to keep
 * the test free of Python:
 *
 * <pre>
 * scores        = Gemm(float_input, W, B)   W[2] = [-1, 0, 1] (petal length), B = [2.5, 0, -4.5]
 * label         = ArgMax(scores, axis=1, keepdims=0)
 * probabilities = Softmax(scores, axis=1)
 * </pre>
 *
 * <p>{@link #constant} writes a model of the same shape that answers every row with the same
 * probabilities ({@code Gemm} with zero weights, no softmax), for answers that differ by a known
 * amount.
 */
final class IrisRuleModel {
  private IrisRuleModel() {}

  static Path write(Path file) {
    float[] w = new float[12]; // [4,3] row-major, zero except the petal-length row
    w[2 * 3] = -1;
    w[2 * 3 + 2] = 1;
    float[] b = {2.5f, 0f, -4.5f};
    return write(file, w, b, true);
  }

  /** A model answering {@code probabilities} (3 values) for every row, whatever the input. */
  static Path constant(Path file, float... probabilities) {
    return write(file, new float[12], probabilities, false);
  }

  private static Path write(Path file, float[] w, float[] b, boolean softmax) {
    String scores = softmax ? "scores" : "probabilities";
    Proto graph =
        new Proto()
            .message(1, node("gemm", "Gemm", new String[] {"float_input", "W", "B"}, scores))
            .message(
                1,
                node("argmax", "ArgMax", new String[] {scores}, "label")
                    .message(5, intAttribute("axis", 1))
                    .message(5, intAttribute("keepdims", 0)));
    if (softmax) {
      graph.message(
          1,
          node("softmax", "Softmax", new String[] {"scores"}, "probabilities")
              .message(5, intAttribute("axis", 1)));
    }
    graph
        .string(2, "iris_rule")
        .message(5, floats("W", new long[] {4, 3}, w))
        .message(5, floats("B", new long[] {3}, b))
        .message(11, tensorInfo("float_input", 1, "N", 4))
        .message(12, tensorInfo("label", 7, "N"))
        .message(12, tensorInfo("probabilities", 1, "N", 3));
    Proto model =
        new Proto()
            .varint(1, 8) // ir_version
            .string(2, "starling-router-test")
            .message(7, graph)
            .message(8, new Proto().string(1, "").varint(2, 17)); // opset_import
    try {
      Files.write(file, model.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static Proto node(String name, String op, String[] inputs, String output) {
    Proto n = new Proto();
    for (String in : inputs) {
      n.string(1, in);
    }
    return n.string(2, output).string(3, name).string(4, op);
  }

  private static Proto intAttribute(String name, long value) {
    return new Proto().string(1, name).varint(3, value).varint(20, 2); // type INT
  }

  private static Proto floats(String name, long[] dims, float[] values) {
    Proto t = new Proto();
    for (long d : dims) {
      t.varint(1, d);
    }
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return t.varint(2, 1).string(8, name).bytes(9, raw.array()); // data_type FLOAT
  }

  /** A tensor value info; {@code dims} are a symbolic name (String) or a size (Integer). */
  private static Proto tensorInfo(String name, int elemType, Object... dims) {
    Proto shape = new Proto();
    for (Object d : dims) {
      shape.message(
          1, d instanceof String s ? new Proto().string(2, s) : new Proto().varint(1, (Integer) d));
    }
    Proto tensor = new Proto().varint(1, elemType).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
  }

  /** Just enough protobuf encoding: varints and length-delimited fields. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      raw((long) field << 3);
      raw(value);
      return this;
    }

    Proto string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto bytes(int field, byte[] value) {
      raw(((long) field << 3) | 2);
      raw(value.length);
      out.writeBytes(value);
      return this;
    }

    Proto message(int field, Proto value) {
      return bytes(field, value.bytes());
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void raw(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
