package dev.starling.runtime.pipeline;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import dev.starling.runtime.model.Datatype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Receives the elements of one tensor's {@code data} array as the parser meets them and stores them
 * typed. When the shape is known first, the buffer is sized exactly; otherwise it grows, up to the
 * request's element budget.
 */
abstract sealed class ElementSink {
  protected final long expected;
  protected final long budget;
  protected int count;
  protected String error;

  ElementSink(long expected, long budget) {
    this.expected = expected;
    this.budget = budget;
  }

  /** Stores one element; false when there is no room for it (too many elements). */
  abstract boolean accept(JsonParser p, JsonToken t) throws IOException;

  abstract TensorData finish();

  int count() {
    return count;
  }

  /** What was wrong with the last element accepted, or null. */
  String lastError() {
    return error;
  }

  protected long capacityFor(long wanted) {
    return expected >= 0 ? expected : Math.min(wanted, budget);
  }

  static String describe(JsonToken t) {
    return switch (t) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a fractional number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      default -> t.toString();
    };
  }

  /** Numbers and booleans, written into a native-order direct buffer. */
  static final class Numbers extends ElementSink {
    private final Datatype type;
    private final int size;
    private final DirectArena arena;
    private ByteBuffer buf;
    private long capacity;

    Numbers(Datatype type, long expected, long budget, DirectArena arena) {
      super(expected, budget);
      this.type = type;
      this.size = type.size();
      this.arena = arena;
      this.capacity = capacityFor(256);
      this.buf = arena.allocate(capacity * size);
    }

    @Override
    boolean accept(JsonParser p, JsonToken t) throws IOException {
      if (count == capacity && !grow()) {
        return false;
      }
      int at = count++ * size;
      switch (type) {
        case FP32 -> {
          if (number(t)) {
            float f = p.getFloatValue();
            if (Float.isInfinite(f)) {
              error = p.getText() + " is out of range for FP32";
            }
            buf.putFloat(at, f);
          }
        }
        case FP64 -> {
          if (number(t)) {
            double d = p.getDoubleValue();
            if (Double.isInfinite(d)) {
              error = p.getText() + " is out of range for FP64";
            }
            buf.putDouble(at, d);
          }
        }
        case FP16 -> {
          if (number(t)) {
            float f = p.getFloatValue();
            if (!(Math.abs(f) <= 65504f)) {
              error = p.getText() + " is out of range for FP16";
            }
            buf.putShort(at, Fp16Conversions.floatToFp16(f));
          }
        }
        case BOOL -> {
          if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            buf.put(at, (byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
          } else {
            error = describe(t) + " where BOOL needs true or false";
          }
        }
        default -> integer(p, t, at);
      }
      return true;
    }

    private boolean number(JsonToken t) {
      if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
        return true;
      }
      error = describe(t) + " where " + type + " needs a number";
      return false;
    }

    private void integer(JsonParser p, JsonToken t, int at) throws IOException {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        error = describe(t) + " where " + type + " needs an integer";
        return;
      }
      long v;
      try {
        v = p.getLongValue();
      } catch (InputCoercionException e) {
        error = p.getText() + " is out of range for " + type;
        return;
      }
      switch (type) {
        case INT8 -> range(v, Byte.MIN_VALUE, Byte.MAX_VALUE, p);
        case UINT8 -> range(v, 0, 255, p);
        case INT16 -> range(v, Short.MIN_VALUE, Short.MAX_VALUE, p);
        case INT32 -> range(v, Integer.MIN_VALUE, Integer.MAX_VALUE, p);
        default -> {}
      }
      switch (size) {
        case 1 -> buf.put(at, (byte) v);
        case 2 -> buf.putShort(at, (short) v);
        case 4 -> buf.putInt(at, (int) v);
        default -> buf.putLong(at, v);
      }
    }

    private void range(long v, long min, long max, JsonParser p) throws IOException {
      if (v < min || v > max) {
        error = p.getText() + " is out of range for " + type + " (" + min + ".." + max + ")";
      }
    }

    private boolean grow() {
      if (expected >= 0 || capacity >= budget) {
        return false;
      }
      long bigger = Math.min(capacity * 2, budget);
      ByteBuffer next = arena.allocate(bigger * size);
      next.put(0, buf, 0, (int) (capacity * size));
      buf = next;
      capacity = bigger;
      return true;
    }

    @Override
    TensorData finish() {
      return TensorData.ofBuffer(type, count, buf.slice(0, count * size).order(buf.order()));
    }
  }

  /** BYTES elements, kept as Java strings (ONNX Runtime takes string tensors as String[]). */
  static final class Strings extends ElementSink {
    private String[] values;

    Strings(long expected, long budget) {
      super(expected, budget);
      values = new String[(int) Math.min(capacityFor(16), 1 << 20)];
    }

    @Override
    boolean accept(JsonParser p, JsonToken t) throws IOException {
      if (count == values.length) {
        long limit = expected >= 0 ? expected : budget;
        if (count >= limit) {
          return false;
        }
        values = Arrays.copyOf(values, (int) Math.min((long) count * 2, limit));
      }
      if (t == JsonToken.VALUE_STRING) {
        values[count] = p.getText();
      } else {
        error = describe(t) + " where BYTES needs a string";
      }
      count++;
      return true;
    }

    @Override
    TensorData finish() {
      return TensorData.ofStrings(
          count == values.length ? values : Arrays.copyOf(values, count), count);
    }
  }
}
