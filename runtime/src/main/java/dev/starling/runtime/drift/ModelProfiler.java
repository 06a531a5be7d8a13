package dev.starling.runtime.drift;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.starling.runtime.config.FeatureConfig;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.model.TensorSpec;
import dev.starling.runtime.pipeline.SignatureBinding;
import dev.starling.runtime.pipeline.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Profiles a reference data set for a model: each feature's distribution, and the model's
 * prediction distribution on the same rows, computed by running the model in-process (ONNX Runtime,
 * batches of {@value #BATCH} rows). Labelled models get the share of each predicted class (arg-max
 * of the label output, as the runtime reports it); others the quantile bins of their first float
 * output's first column. Feature values are rounded to the input's type first (FP32 for most
 * models), so the bins hold exactly what the runtime will see.
 */
public final class ModelProfiler {
  static final int BATCH = 256;

  private ModelProfiler() {}

  public static ReferenceProfile profile(
      String name, OnnxModel model, SignatureBinding b, ReferenceCsv data, int bins)
      throws OrtException {
    TensorSpec in = input(model, b, data.features().size());
    List<FeatureProfile> features = new ArrayList<>();
    for (int i = 0; i < data.features().size(); i++) {
      double[] column = data.columns()[i].clone();
      if (in.datatype() == Datatype.FP32) {
        // Profile the values the model sees: a CSV value on a bin edge must not land in another
        // bin once it has been rounded to float on its way into the model.
        for (int r = 0; r < column.length; r++) {
          column[r] = (float) column[r];
        }
      }
      features.add(feature(data.features().get(i), column, bins));
    }
    TensorSpec out = b.hasLabels() ? b.labelOutput() : firstFloatOutput(model);
    double[] predicted = new double[data.rows()];
    for (int from = 0; from < data.rows(); from += BATCH) {
      int n = Math.min(BATCH, data.rows() - from);
      try (OnnxTensor t = tensor(model, in, data.rowMajor(from, n), n, data.features().size());
          OrtSession.Result r = model.run(Map.of(in.name(), t), Set.of(out.name()))) {
        OnnxValue v = r.get(out.name()).orElseThrow();
        ByteBuffer buf = ((OnnxTensor) v).getByteBuffer().order(ByteOrder.nativeOrder());
        Datatype dt = Datatype.fromOnnx(((OnnxTensor) v).getInfo().onnxType);
        int per = (int) (buf.remaining() / dt.size() / n);
        for (int row = 0; row < n; row++) {
          predicted[from + row] =
              b.hasLabels()
                  ? Tensors.argMax(dt, buf, row * per, per)
                  : Tensors.readAsDouble(dt, buf, row * per);
        }
      }
    }
    FeatureProfile prediction =
        b.hasLabels()
            ? Profiler.categorical(out.name(), b.labels(), predicted)
            : Profiler.numeric(out.name(), predicted, bins);
    return new ReferenceProfile(
        ReferenceProfile.FORMAT, name, model.sha256(), data.rows(), features, prediction);
  }

  static FeatureProfile feature(FeatureConfig c, double[] column, int bins) {
    return switch (c.type()) {
      case CATEGORY -> Profiler.categorical(c.name(), c.values(), column);
      case BOOL -> Profiler.categorical(c.name(), List.of("false", "true"), column);
      default -> Profiler.numeric(c.name(), column, bins);
    };
  }

  private static TensorSpec input(OnnxModel model, SignatureBinding b, int features) {
    TensorSpec in = b.hasFeatures() ? b.featureInput() : null;
    if (in == null && model.signature().inputs().size() == 1) {
      in = model.signature().inputs().get(0);
    }
    if (in == null
        || in.rank() != 2
        || (in.shape()[1] >= 0 && in.shape()[1] != features)
        || (in.datatype() != Datatype.FP32 && in.datatype() != Datatype.FP64)) {
      throw new IllegalArgumentException(
          "the model needs one FP32/FP64 input of shape [N, "
              + features
              + "] for the data's columns; it has "
              + model.signature().inputs());
    }
    return in;
  }

  private static TensorSpec firstFloatOutput(OnnxModel model) {
    return model.signature().outputs().stream()
        .filter(t -> t.datatype() == Datatype.FP32 || t.datatype() == Datatype.FP64)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no labels in the signature and no float output to profile"));
  }

  private static OnnxTensor tensor(OnnxModel model, TensorSpec in, double[] values, int n, int f)
      throws OrtException {
    ByteBuffer buf =
        ByteBuffer.allocateDirect(values.length * in.datatype().size())
            .order(ByteOrder.nativeOrder());
    for (double v : values) {
      if (in.datatype() == Datatype.FP32) {
        buf.putFloat((float) v);
      } else {
        buf.putDouble(v);
      }
    }
    buf.flip();
    return OnnxTensor.createTensor(
        model.environment(), buf, new long[] {n, f}, in.datatype().javaType());
  }
}
