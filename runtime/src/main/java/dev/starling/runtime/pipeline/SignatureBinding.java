package dev.starling.runtime.pipeline;

import dev.starling.runtime.config.FeatureConfig;
import dev.starling.runtime.config.SignatureConfig;
import dev.starling.runtime.model.Datatype;
import dev.starling.runtime.model.ModelLoadException;
import dev.starling.runtime.model.ModelSignature;
import dev.starling.runtime.model.TensorSpec;
import java.util.List;

/**
 * A model's signature config checked against the model itself: the input the named features fill
 * ({@code [N, len(features)]}, FP32 or FP64) and the output the labels read ({@code [N,
 * len(labels)]}). Made once at load, so a config that does not fit the model fails the load with a
 * message naming the field, not the first request.
 */
public record SignatureBinding(
    TensorSpec featureInput,
    List<FeatureConfig> features,
    TensorSpec labelOutput,
    List<String> labels,
    int topK) {

  public boolean hasFeatures() {
    return featureInput != null;
  }

  public boolean hasLabels() {
    return labelOutput != null;
  }

  public static SignatureBinding bind(SignatureConfig cfg, ModelSignature sig) {
    if (cfg == null) {
      return new SignatureBinding(null, List.of(), null, List.of(), 0);
    }
    TensorSpec in = null;
    if (!cfg.features().isEmpty()) {
      in = cfg.input() != null ? sig.input(cfg.input()) : single(sig.inputs());
      if (in == null) {
        throw new ModelLoadException(
            "signature.input: "
                + (cfg.input() == null
                    ? "the model has several inputs; name one"
                    : "no input '" + cfg.input() + "'")
                + " (inputs: "
                + sig.inputs()
                + ")");
      }
      if (sig.inputs().size() != 1) {
        throw new ModelLoadException(
            "signature.features: named features need a model with one input, this one has "
                + sig.inputs());
      }
      if ((in.datatype() != Datatype.FP32 && in.datatype() != Datatype.FP64)
          || in.rank() != 2
          || (in.shape()[1] >= 0 && in.shape()[1] != cfg.features().size())) {
        throw new ModelLoadException(
            "signature.features: "
                + cfg.features().size()
                + " features need input '"
                + in.name()
                + "' to be FP32/FP64 [N, "
                + cfg.features().size()
                + "], the model has "
                + in);
      }
    }
    TensorSpec out = null;
    if (!cfg.labels().isEmpty()) {
      out =
          cfg.output() != null ? sig.output(cfg.output()) : scoresOutput(sig, cfg.labels().size());
      if (out == null) {
        throw new ModelLoadException(
            "signature.output: "
                + (cfg.output() == null
                    ? "no FP32/FP64 output of shape [N, "
                        + cfg.labels().size()
                        + "] to read labels from"
                    : "no output '" + cfg.output() + "'")
                + " (outputs: "
                + sig.outputs()
                + ")");
      }
      if (!out.datatype().isFloat()
          || out.rank() != 2
          || (out.shape()[1] >= 0 && out.shape()[1] != cfg.labels().size())) {
        throw new ModelLoadException(
            "signature.labels: " + cfg.labels().size() + " labels do not fit output " + out);
      }
    }
    int topK = cfg.topK() == null ? 0 : Math.min(cfg.topK(), cfg.labels().size());
    return new SignatureBinding(in, cfg.features(), out, cfg.labels(), topK);
  }

  private static TensorSpec single(List<TensorSpec> specs) {
    return specs.size() == 1 ? specs.get(0) : null;
  }

  private static TensorSpec scoresOutput(ModelSignature sig, int classes) {
    for (TensorSpec t : sig.outputs()) {
      if (t.datatype().isFloat()
          && t.rank() == 2
          && (t.shape()[1] < 0 || t.shape()[1] == classes)) {
        return t;
      }
    }
    return null;
  }
}
