package dev.starling.runtime.cli;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.FeatureConfig;
import dev.starling.runtime.config.SignatureConfig;
import dev.starling.runtime.drift.FeatureProfile;
import dev.starling.runtime.drift.ModelProfiler;
import dev.starling.runtime.drift.Profiler;
import dev.starling.runtime.drift.ReferenceCsv;
import dev.starling.runtime.drift.ReferenceProfile;
import dev.starling.runtime.model.Digests;
import dev.starling.runtime.model.ModelLoadException;
import dev.starling.runtime.model.OnnxModel;
import dev.starling.runtime.pipeline.SignatureBinding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code profile}: writes the reference profile that drift monitoring compares live traffic with.
 */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description =
        "Profile a reference data set (CSV with a header of the model's features) for drift"
            + " monitoring: per-feature bins and the model's prediction distribution, as JSON"
            + " (or YAML for a .yaml output).")
public final class ProfileCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "The ONNX model the data is for.")
  Path model;

  @Option(
      names = "--signature",
      description =
          "Signature config (features, labels); default: MODEL.signature.yaml if present.")
  Path signature;

  @Option(names = "--data", required = true, description = "Reference data: CSV with a header.")
  Path data;

  @Option(names = "--output", required = true, description = "Where to write the profile.")
  Path output;

  @Option(names = "--bins", description = "Quantile bins per numeric feature (default 10).")
  int bins = Profiler.DEFAULT_BINS;

  @Spec CommandSpec spec;

  @Option(names = "--name", description = "Model name recorded in the profile (default: stem).")
  String name;

  @Override
  public Integer call() throws Exception {
    if (bins < 2 || bins > 1000) {
      spec.commandLine().getErr().println("--bins: must be 2..1000, got " + bins);
      return 2;
    }
    try (OnnxModel m = OnnxModel.load(model, Digests.sha256(model), 1)) {
      SignatureBinding b = SignatureBinding.bind(signature(), m.signature());
      List<FeatureConfig> features =
          b.hasFeatures() ? b.features() : ReferenceCsv.numericHeader(data);
      ReferenceCsv csv = ReferenceCsv.read(data, features);
      ReferenceProfile p = ModelProfiler.profile(modelName(), m, b, csv, bins);
      p.write(output);
      report(p, csv);
      return 0;
    } catch (IllegalArgumentException | ModelLoadException | ConfigException e) {
      spec.commandLine().getErr().println("profile failed: " + e.getMessage());
      return 1;
    }
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private SignatureConfig signature() {
    Path p = signature;
    if (p == null) {
      String stem = model.getFileName().toString().replaceFirst("\\.onnx$", "");
      p = model.resolveSibling(stem + ".signature.yaml");
      if (!Files.isRegularFile(p)) {
        return null;
      }
    }
    return SignatureFiles.load(p);
  }

  private String modelName() {
    return name != null ? name : model.getFileName().toString().replaceFirst("\\.onnx$", "");
  }

  private void report(ReferenceProfile p, ReferenceCsv csv) {
    out().printf("profiled %d rows of %s for model %s%n", p.rows(), data, p.model());
    for (FeatureProfile f : p.features()) {
      out().printf("  %-20s %s%n", f.name(), describe(f));
    }
    out().printf("  prediction %-9s %s%n", p.prediction().name(), describe(p.prediction()));
    if (!csv.ignored().isEmpty()) {
      out().println("  ignored columns: " + csv.ignored());
    }
    out().println("wrote " + output);
  }

  private static String describe(FeatureProfile f) {
    if (f.kind() == FeatureProfile.Kind.NUMERIC) {
      return String.format(
          Locale.ROOT, "numeric, %d bins, range [%s, %s]", f.binCount(), f.min(), f.max());
    }
    StringBuilder sb = new StringBuilder("categorical:");
    for (int i = 0; i < f.categories().size(); i++) {
      sb.append(
          String.format(Locale.ROOT, " %s %.3f", f.categories().get(i), f.proportions().get(i)));
    }
    return sb.toString();
  }
}
