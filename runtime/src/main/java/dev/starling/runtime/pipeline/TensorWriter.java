package dev.starling.runtime.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.starling.runtime.model.Datatype;
import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes an ONNX Runtime output tensor as a protocol tensor object, reading the native buffer in
 * place (no Java array copy) and streaming numbers straight into the generator.
 */
public final class TensorWriter {
  private TensorWriter() {}

  public static void write(JsonGenerator g, String name, OnnxTensor t)
      throws IOException, OrtException {
    TensorInfo info = t.getInfo();
    Datatype dt = Datatype.fromOnnx(info.onnxType);
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("datatype", dt.name());
    g.writeArrayFieldStart("shape");
    for (long d : info.getShape()) {
      g.writeNumber(d);
    }
    g.writeEndArray();
    g.writeFieldName("data");
    writeData(g, dt, t);
    g.writeEndObject();
  }

  public static void writeData(JsonGenerator g, Datatype dt, OnnxTensor t)
      throws IOException, OrtException {
    g.writeStartArray();
    if (dt == Datatype.BYTES) {
      writeStrings(g, t.getValue());
    } else {
      // Output tensors live in ONNX Runtime's memory; getByteBuffer copies them out once.
      ByteBuffer b = t.getByteBuffer().order(ByteOrder.nativeOrder());
      int n = b.limit() / dt.size();
      for (int i = 0; i < n; i++) {
        writeElement(g, dt, b, i);
      }
    }
    g.writeEndArray();
  }

  /** Element {@code i} of a native-order buffer of {@code dt}, as JSON. */
  public static void writeElement(JsonGenerator g, Datatype dt, ByteBuffer b, int i)
      throws IOException {
    switch (dt) {
      case FP32 -> g.writeNumber(b.getFloat(i * 4));
      case FP64 -> g.writeNumber(b.getDouble(i * 8));
      case INT64 -> g.writeNumber(b.getLong(i * 8));
      case INT32 -> g.writeNumber(b.getInt(i * 4));
      case INT16 -> g.writeNumber(b.getShort(i * 2));
      case INT8 -> g.writeNumber(b.get(i));
      case UINT8 -> g.writeNumber(b.get(i) & 0xff);
      case UINT16 -> g.writeNumber(b.getShort(i * 2) & 0xffff);
      case UINT32 -> g.writeNumber(b.getInt(i * 4) & 0xffffffffL);
      case UINT64 -> g.writeNumber(new BigInteger(Long.toUnsignedString(b.getLong(i * 8))));
      case FP16 -> g.writeNumber(Fp16Conversions.fp16ToFloat(b.getShort(i * 2)));
      case BOOL -> g.writeBoolean(b.get(i) != 0);
      default -> throw new IllegalStateException("no element encoding for " + dt);
    }
  }

  /** String tensors come back as nested String arrays; flatten them row-major. */
  private static void writeStrings(JsonGenerator g, Object value) throws IOException {
    if (value instanceof String s) {
      g.writeString(s);
    } else if (value != null && value.getClass().isArray()) {
      int n = Array.getLength(value);
      for (int i = 0; i < n; i++) {
        writeStrings(g, Array.get(value, i));
      }
    }
  }
}
