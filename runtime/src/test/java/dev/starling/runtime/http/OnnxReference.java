package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime called directly, the plain way (heap buffers, no Starling code), to say what a
 * request's answer must be. Floats are compared with a relative tolerance of 1e-6: the server runs
 * the same ONNX Runtime on the same bytes, so in practice they are bit-identical.
 */
final class OnnxReference {
  static final double TOLERANCE = 1e-6;

  private OnnxReference() {}

  /** Output name → {"shape": [...], "data": [...] as doubles, longs, booleans or strings}. */
  static Map<String, Object[]> infer(Path model, JsonNode request) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, Object[]> out = new LinkedHashMap<>();
    try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      for (JsonNode in : request.get("inputs")) {
        inputs.put(in.get("name").asText(), tensor(env, in));
      }
      try (OrtSession.Result r = s.run(inputs)) {
        for (Map.Entry<String, OnnxValue> e : r) {
          OnnxTensor t = (OnnxTensor) e.getValue();
          out.put(e.getKey(), new Object[] {t.getInfo().getShape(), values(t)});
        }
      } finally {
        inputs.values().forEach(OnnxTensor::close);
      }
    }
    return out;
  }

  static void assertOutputsEqual(JsonNode got, Map<String, Object[]> want) {
    assertThat(got).hasSize(want.size());
    for (JsonNode o : got) {
      String name = o.get("name").asText();
      assertThat(want).containsKey(name);
      long[] shape = (long[]) want.get(name)[0];
      List<?> values = (List<?>) want.get(name)[1];
      assertThat(o.get("shape").size()).isEqualTo(shape.length);
      for (int i = 0; i < shape.length; i++) {
        assertThat(o.get("shape").get(i).asLong()).isEqualTo(shape[i]);
      }
      assertThat(o.get("data")).as(name).hasSize(values.size());
      for (int i = 0; i < values.size(); i++) {
        Object w = values.get(i);
        JsonNode g = o.get("data").get(i);
        if (w instanceof Double d) {
          assertThat(g.asDouble())
              .as(name + "[" + i + "]")
              .isCloseTo(
                  d, org.assertj.core.data.Offset.offset(Math.max(1e-12, Math.abs(d) * TOLERANCE)));
        } else if (w instanceof Long l) {
          assertThat(g.asLong()).as(name + "[" + i + "]").isEqualTo(l);
        } else if (w instanceof Boolean b) {
          assertThat(g.asBoolean()).isEqualTo(b);
        } else {
          assertThat(g.asText()).isEqualTo(w);
        }
      }
    }
  }

  private static OnnxTensor tensor(OrtEnvironment env, JsonNode in) throws Exception {
    JsonNode data = in.get("data");
    long[] shape = new long[in.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = in.get("shape").get(i).asLong();
    }
    List<JsonNode> flat = new ArrayList<>();
    flatten(data, flat);
    int n = flat.size();
    return switch (in.get("datatype").asText()) {
      case "FP32" -> {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) flat.get(i).asDouble();
        yield OnnxTensor.createTensor(env, FloatBuffer.wrap(a), shape);
      }
      case "FP64" -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = flat.get(i).asDouble();
        yield OnnxTensor.createTensor(env, DoubleBuffer.wrap(a), shape);
      }
      case "FP16" -> {
        short[] a = new short[n];
        for (int i = 0; i < n; i++)
          a[i] = Fp16Conversions.floatToFp16((float) flat.get(i).asDouble());
        yield OnnxTensor.createTensor(
            env, ShortBuffer.wrap(a), shape, ai.onnxruntime.OnnxJavaType.FLOAT16);
      }
      case "INT64" -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = flat.get(i).asLong();
        yield OnnxTensor.createTensor(env, LongBuffer.wrap(a), shape);
      }
      case "INT32" -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = flat.get(i).asInt();
        yield OnnxTensor.createTensor(env, IntBuffer.wrap(a), shape);
      }
      case "INT16" -> {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) a[i] = (short) flat.get(i).asInt();
        yield OnnxTensor.createTensor(
            env, ShortBuffer.wrap(a), shape, ai.onnxruntime.OnnxJavaType.INT16);
      }
      case "INT8", "UINT8", "BOOL" -> {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
          JsonNode v = flat.get(i);
          a[i] = v.isBoolean() ? (byte) (v.asBoolean() ? 1 : 0) : (byte) v.asInt();
        }
        ai.onnxruntime.OnnxJavaType jt =
            switch (in.get("datatype").asText()) {
              case "INT8" -> ai.onnxruntime.OnnxJavaType.INT8;
              case "UINT8" -> ai.onnxruntime.OnnxJavaType.UINT8;
              default -> ai.onnxruntime.OnnxJavaType.BOOL;
            };
        yield OnnxTensor.createTensor(env, ByteBuffer.wrap(a), shape, jt);
      }
      case "BYTES" -> {
        String[] a = new String[n];
        for (int i = 0; i < n; i++) a[i] = flat.get(i).asText();
        yield OnnxTensor.createTensor(env, a, shape);
      }
      default -> throw new IllegalArgumentException(in.get("datatype").asText());
    };
  }

  private static void flatten(JsonNode v, List<JsonNode> out) {
    if (v.isArray()) {
      v.forEach(e -> flatten(e, out));
    } else {
      out.add(v);
    }
  }

  private static List<Object> values(OnnxTensor t) throws Exception {
    TensorInfo info = t.getInfo();
    List<Object> out = new ArrayList<>();
    switch (info.onnxType) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> {
        FloatBuffer b = t.getFloatBuffer();
        while (b.hasRemaining()) out.add((double) b.get());
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> {
        DoubleBuffer b = t.getDoubleBuffer();
        while (b.hasRemaining()) out.add(b.get());
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> {
        ShortBuffer b = t.getShortBuffer();
        while (b.hasRemaining()) out.add((double) Fp16Conversions.fp16ToFloat(b.get()));
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> {
        LongBuffer b = t.getLongBuffer();
        while (b.hasRemaining()) out.add(b.get());
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> {
        IntBuffer b = t.getIntBuffer();
        while (b.hasRemaining()) out.add((long) b.get());
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> {
        ShortBuffer b = t.getShortBuffer();
        while (b.hasRemaining()) out.add((long) b.get());
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> {
        ByteBuffer b = t.getByteBuffer();
        while (b.hasRemaining()) out.add((long) b.get());
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> {
        ByteBuffer b = t.getByteBuffer();
        while (b.hasRemaining()) out.add((long) (b.get() & 0xff));
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> {
        ByteBuffer b = t.getByteBuffer().order(java.nio.ByteOrder.nativeOrder());
        while (b.hasRemaining()) out.add((long) (b.getShort() & 0xffff));
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> {
        ByteBuffer b = t.getByteBuffer().order(java.nio.ByteOrder.nativeOrder());
        while (b.hasRemaining()) out.add(b.getInt() & 0xffffffffL);
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> {
        ByteBuffer b = t.getByteBuffer().order(java.nio.ByteOrder.nativeOrder());
        while (b.hasRemaining()) out.add(b.getLong()); // sample values stay below 2^63
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> {
        ByteBuffer b = t.getByteBuffer();
        while (b.hasRemaining()) out.add(b.get() != 0);
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> {
        for (Object s : (Object[]) flatStrings(t.getValue())) out.add(s);
      }
      default -> throw new IllegalStateException("unexpected " + info.onnxType);
    }
    return out;
  }

  private static Object[] flatStrings(Object v) {
    List<Object> out = new ArrayList<>();
    if (v instanceof Object[] arr) {
      for (Object o : arr) {
        if (o instanceof Object[]) {
          out.addAll(List.of(flatStrings(o)));
        } else {
          out.add(o);
        }
      }
    }
    return out.toArray();
  }
}
