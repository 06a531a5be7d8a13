package dev.starling.runtime.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.starling.runtime.config.FeatureConfig;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.TensorSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Turns KServe V1 instances (or named-feature rows) into one input tensor with a row per instance.
 * Named features are checked against their config (type, range, allowed values, defaults) and every
 * problem of a row is reported at once, naming the features.
 */
public final class InstanceMapper {
  private InstanceMapper() {}

  /** Rows of named features → {@code [N, F]} in the bound input's float type. */
  public static InferInput features(SignatureBinding b, List<JsonNode> rows, DirectArena arena) {
    List<FeatureConfig> features = b.features();
    TensorSpec in = b.featureInput();
    int f = features.size();
    Datatype dt = in.datatype();
    ByteBuffer buf = arena.allocate((long) rows.size() * f * dt.size());
    long[] defaulted = new long[f];
    for (int r = 0; r < rows.size(); r++) {
      JsonNode row = rows.get(r);
      if (!row.isObject()) {
        throw ApiException.badRequest("instances[" + r + "] must be an object of named features");
      }
      List<String> problems = new ArrayList<>();
      for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (features.stream().noneMatch(c -> c.name().equals(key))) {
          problems.add("unknown feature '" + InferRequestDecoder.clip(key) + "'");
        }
      }
      for (int i = 0; i < f; i++) {
        FeatureConfig c = features.get(i);
        JsonNode given = row.get(c.name());
        if (given == null || given.isNull()) {
          defaulted[i]++;
        }
        double v = value(c, given, problems);
        int at = (r * f + i) * dt.size();
        if (dt == Datatype.FP32) {
          buf.putFloat(at, (float) v);
        } else {
          buf.putDouble(at, v);
        }
      }
      if (!problems.isEmpty()) {
        throw ApiException.badRequest(
            "instances["
                + r
                + "]: "
                + String.join("; ", problems)
                + " (features: "
                + names(features)
                + ")");
      }
    }
    return new InferInput(
        in.name(),
        dt,
        new long[] {rows.size(), f},
        TensorData.ofBuffer(dt, rows.size() * f, buf),
        defaulted);
  }

  private static double value(FeatureConfig c, JsonNode v, List<String> problems) {
    if (v == null || v.isNull()) {
      if (c.defaultValue() == null) {
        problems.add("missing feature '" + c.name() + "'");
        return 0;
      }
      return fromDefault(c);
    }
    switch (c.type()) {
      case BOOL -> {
        if (!v.isBoolean()) {
          problems.add("feature '" + c.name() + "' must be true or false");
          return 0;
        }
        return v.booleanValue() ? 1 : 0;
      }
      case CATEGORY -> {
        int idx = v.isTextual() ? c.values().indexOf(v.textValue()) : -1;
        if (idx < 0) {
          problems.add("feature '" + c.name() + "' must be one of " + c.values());
        }
        return Math.max(idx, 0);
      }
      case INT -> {
        if (!v.isIntegralNumber()) {
          problems.add("feature '" + c.name() + "' must be an integer");
          return 0;
        }
        return range(c, v.doubleValue(), problems);
      }
      default -> {
        if (!v.isNumber()) {
          problems.add("feature '" + c.name() + "' must be a number");
          return 0;
        }
        return range(c, v.doubleValue(), problems);
      }
    }
  }

  private static double range(FeatureConfig c, double v, List<String> problems) {
    if (!Double.isFinite(v)
        || (c.min() != null && v < c.min())
        || (c.max() != null && v > c.max())) {
      problems.add(
          "feature '"
              + c.name()
              + "' is "
              + v
              + ", outside ["
              + (c.min() == null ? "-inf" : c.min())
              + ", "
              + (c.max() == null ? "inf" : c.max())
              + "]");
    }
    return v;
  }

  private static double fromDefault(FeatureConfig c) {
    Object d = c.defaultValue();
    if (d instanceof Boolean bool) {
      return bool ? 1 : 0;
    }
    if (d instanceof Number n) {
      return n.doubleValue();
    }
    return Math.max(c.values().indexOf(d.toString()), 0);
  }

  /**
   * Plain instances for a one-input model: each instance is one row of the input (a nested array
   * shaped like the input without its first dimension). Example: iris input [N,4], instance
   * [5.1,3.5,1.4,0.2].
   */
  public static InferInput rows(TensorSpec in, List<JsonNode> rows, DirectArena arena) {
    if (in.datatype() == Datatype.BYTES || in.datatype() == Datatype.BOOL) {
      throw ApiException.badRequest(
          "V1 instances support numeric inputs; use the V2 infer endpoint");
    }
    List<Double> flat = new ArrayList<>();
    long perRow = -1;
    List<Long> rowShape = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      List<Long> shape = new ArrayList<>();
      int before = flat.size();
      flatten(rows.get(r), flat, shape, new int[] {-1}, 0, "instances[" + r + "]");
      long n = flat.size() - before;
      if (perRow < 0) {
        perRow = n;
        rowShape = shape;
      } else if (n != perRow || !shape.equals(rowShape)) {
        throw ApiException.badRequest(
            "instances[" + r + "] has a different shape than instances[0]");
      }
    }
    long[] shape = new long[rowShape.size() + 1];
    shape[0] = rows.size();
    for (int i = 0; i < rowShape.size(); i++) {
      shape[i + 1] = rowShape.get(i);
    }
    Datatype dt = in.datatype();
    ByteBuffer buf = arena.allocate((long) flat.size() * dt.size());
    for (int i = 0; i < flat.size(); i++) {
      double v = flat.get(i);
      String problem = fits(dt, v);
      if (problem != null) {
        throw ApiException.badRequest("instances: element " + i + " (" + v + ") " + problem);
      }
      switch (dt) {
        case FP32 -> buf.putFloat(i * 4, (float) v);
        case FP64 -> buf.putDouble(i * 8, v);
        case INT64 -> buf.putLong(i * 8, (long) v);
        case INT32 -> buf.putInt(i * 4, (int) v);
        default ->
            throw ApiException.badRequest(
                "V1 instances do not support " + dt + " inputs; use the V2 infer endpoint");
      }
    }
    return new InferInput(in.name(), dt, shape, TensorData.ofBuffer(dt, flat.size(), buf));
  }

  /** Why {@code v} cannot be an element of {@code dt}, or null when it can. */
  private static String fits(Datatype dt, double v) {
    return switch (dt) {
      case FP32 -> Float.isFinite((float) v) ? null : "is out of range for FP32";
      case FP64 -> Double.isFinite(v) ? null : "is out of range for FP64";
      case INT32 ->
          v == Math.rint(v) && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE
              ? null
              : "is not an INT32";
      case INT64 -> v == Math.rint(v) && Math.abs(v) <= 0x1p63 ? null : "is not an INT64";
      default -> null;
    };
  }

  /**
   * Appends the numbers of one instance to {@code out} and records its shape, refusing a ragged
   * instance here, where the row and the place are known: every array at one depth must have the
   * size of the first array there, and every number must sit at the depth of the first number
   * ({@code leafDepth[0]}, -1 until one is seen). Depth 0 is the instance itself. Example: {@code
   * [[1,2],[3]]} has an array of 1 element at depth 1 where the first there had 2.
   */
  private static void flatten(
      JsonNode v, List<Double> out, List<Long> shape, int[] leafDepth, int depth, String at) {
    if (v.isArray()) {
      if (shape.size() == depth && leafDepth[0] < 0) {
        shape.add((long) v.size());
      } else if (depth >= shape.size()) {
        throw ApiException.badRequest(
            at + " is ragged: an array at depth " + depth + " where the others hold numbers");
      } else if (shape.get(depth) != v.size()) {
        throw ApiException.badRequest(
            at
                + " is ragged: an array at depth "
                + depth
                + " has "
                + v.size()
                + " elements where the first there had "
                + shape.get(depth));
      }
      for (JsonNode e : v) {
        flatten(e, out, shape, leafDepth, depth + 1, at);
      }
    } else if (v.isNumber()) {
      if (leafDepth[0] < 0) {
        leafDepth[0] = depth;
      } else if (leafDepth[0] != depth) {
        throw ApiException.badRequest(
            at
                + " is ragged: a number at depth "
                + depth
                + " where the first number was at depth "
                + leafDepth[0]);
      }
      out.add(v.doubleValue());
    } else {
      throw ApiException.badRequest(
          at + " must hold numbers, found " + v.getNodeType().name().toLowerCase());
    }
  }

  private static List<String> names(List<FeatureConfig> features) {
    return features.stream().map(FeatureConfig::name).toList();
  }
}
