package dev.starling.runtime.pipeline;

import dev.starling.runtime.model.Datatype;
import java.nio.ByteBuffer;

/**
 * The elements of one request tensor: numbers and booleans in a native-order buffer (ready for ONNX
 * Runtime), strings in an array.
 */
public record TensorData(Datatype datatype, int count, ByteBuffer buffer, String[] strings) {

  public static TensorData ofBuffer(Datatype datatype, int count, ByteBuffer buffer) {
    return new TensorData(datatype, count, buffer, null);
  }

  public static TensorData ofStrings(String[] strings, int count) {
    return new TensorData(Datatype.BYTES, count, null, strings);
  }
}
