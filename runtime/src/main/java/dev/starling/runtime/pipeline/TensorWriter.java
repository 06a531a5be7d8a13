package dev.starling.runtime.pipeline;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.starling.runtime.model.Datatype;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/** Writes an output tensor as a protocol tensor object, streaming numbers into the generator. */
public final class TensorWriter {
  private TensorWriter() {}

  public static void write(JsonGenerator g, OutputTensor t) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", t.name());
    g.writeStringField("datatype", t.datatype().name());
    g.writeArrayFieldStart("shape");
    for (long d : t.shape()) {
      g.writeNumber(d);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("data");
    if (t.strings() != null) {
      for (String s : t.strings()) {
        g.writeString(s);
      }
    } else {
      int n = t.count();
      for (int i = 0; i < n; i++) {
        writeElement(g, t.datatype(), t.data(), i);
      }
    }
    g.writeEndArray();
    g.writeEndObject();
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
}
