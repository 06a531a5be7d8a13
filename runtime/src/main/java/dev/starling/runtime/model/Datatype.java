package dev.starling.runtime.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;

/**
 * Open Inference Protocol tensor datatypes, with their element size and how ONNX Runtime's Java API
 * takes them. UINT16/32/64 exist in ONNX but the Java API cannot create tensors of them, so a model
 * needing them as input is refused at load with a message saying so.
 */
public enum Datatype {
  BOOL(1, OnnxJavaType.BOOL),
  UINT8(1, OnnxJavaType.UINT8),
  UINT16(2, null),
  UINT32(4, null),
  UINT64(8, null),
  INT8(1, OnnxJavaType.INT8),
  INT16(2, OnnxJavaType.INT16),
  INT32(4, OnnxJavaType.INT32),
  INT64(8, OnnxJavaType.INT64),
  FP16(2, OnnxJavaType.FLOAT16),
  FP32(4, OnnxJavaType.FLOAT),
  FP64(8, OnnxJavaType.DOUBLE),
  BYTES(0, OnnxJavaType.STRING);

  private final int size;
  private final OnnxJavaType javaType;

  Datatype(int size, OnnxJavaType javaType) {
    this.size = size;
    this.javaType = javaType;
  }

  /** Bytes per element in a native buffer; 0 for BYTES, which travel as Java strings. */
  public int size() {
    return size;
  }

  public OnnxJavaType javaType() {
    return javaType;
  }

  public boolean creatable() {
    return javaType != null;
  }

  public boolean isInteger() {
    return this != BOOL && this != BYTES && this != FP16 && this != FP32 && this != FP64;
  }

  public boolean isFloat() {
    return this == FP16 || this == FP32 || this == FP64;
  }

  /** The datatype for an ONNX element type, or null where the protocol has none (e.g. BFLOAT16). */
  public static Datatype fromOnnx(OnnxTensorType t) {
    return switch (t) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> BYTES;
      default -> null;
    };
  }

  /** Parses a protocol datatype name, or returns null when it is not one. */
  public static Datatype parse(String name) {
    for (Datatype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
