package dev.starling.runtime.drift;

import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.InferInput;
import dev.starling.runtime.pipeline.OutputTensor;
import dev.starling.runtime.pipeline.PredictionObserver;
import dev.starling.runtime.pipeline.SignatureBinding;
import dev.starling.runtime.pipeline.Tensors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one model's live inputs and predictions against its reference profile. On each inference
 * (the {@link PredictionObserver} hook) it bins every row's features and prediction into the {@link
 * DriftWindow} and counts missing, out-of-range and unseen values; the PSI gauges are computed from
 * the window only when Prometheus scrapes.
 *
 * <p>Rows come as the model's input tensor {@code [N, F]}, whether the request was KServe V1 named
 * features or an OIP v2 tensor: column i is the profile's feature i. V1 rejects unknown categories,
 * so an unseen category arrives only through V2, as an index outside the category list.
 */
public final class DriftMonitor implements PredictionObserver {
  private static final Logger LOG = LoggerFactory.getLogger(DriftMonitor.class);

  private final ReferenceProfile profile;
  private final FeatureProfile.Binner[] features;
  private final FeatureProfile.Binner prediction;
  private final DriftWindow window;
  private final Counter[] missing;
  private final Counter[] outOfRange;
  private final Counter[] unseen;
  private volatile boolean warned;
  private final List<Meter> meters = new ArrayList<>();

  public DriftMonitor(
      ReferenceProfile profile, int windowRows, String model, String version, MeterRegistry r) {
    this.profile = profile;
    int f = profile.features().size();
    this.features = new FeatureProfile.Binner[f];
    this.missing = new Counter[f];
    this.outOfRange = new Counter[f];
    this.unseen = new Counter[f];
    this.prediction = profile.prediction() == null ? null : profile.prediction().binner();
    this.window = new DriftWindow(f + 1, windowRows);
    for (int i = 0; i < f; i++) {
      FeatureProfile p = profile.features().get(i);
      features[i] = p.binner();
      String[] tags = {"model", model, "version", version, "feature", p.name()};
      missing[i] =
          counter(
              r,
              "starling.feature.missing",
              "Feature values missing: NaN, or left out and filled with the default",
              tags);
      outOfRange[i] =
          counter(
              r,
              "starling.feature.out.of.range",
              "Numeric feature values outside the reference's [min, max]",
              tags);
      unseen[i] =
          counter(
              r,
              "starling.feature.unseen.category",
              "Categorical feature values the reference never saw",
              tags);
      int column = i;
      meters.add(
          Gauge.builder("starling.feature.drift.psi", this, m -> m.featurePsi(column))
              .description("Population Stability Index of the feature over the live window")
              .tags(tags)
              .register(r));
    }
    if (prediction != null) {
      meters.add(
          Gauge.builder("starling.prediction.drift.psi", this, DriftMonitor::predictionPsi)
              .description("Population Stability Index of the predictions over the live window")
              .tags("model", model, "version", version)
              .register(r));
    }
    meters.add(
        Gauge.builder("starling.drift.window.rows", window, DriftWindow::rows)
            .description("Rows in the live window the drift gauges are computed over")
            .tags("model", model, "version", version)
            .register(r));
    for (int i = 0; i < f; i++) {
      meters.addAll(List.of(missing[i], outOfRange[i], unseen[i]));
    }
  }

  /**
   * Removes this monitor's meters, so a monitor built for a new reference profile registers its
   * own: Micrometer would otherwise hand the new one the existing gauges, still reading this one.
   */
  public void unregister(MeterRegistry r) {
    meters.forEach(r::remove);
  }

  public ReferenceProfile profile() {
    return profile;
  }

  /** PSI of feature {@code i} over the window; NaN while the window is empty. */
  public double featurePsi(int i) {
    return Psi.of(expected(features[i]), window.counts(i, features[i].binCount()));
  }

  public double predictionPsi() {
    if (prediction == null) {
      return Double.NaN;
    }
    return Psi.of(expected(prediction), window.counts(features.length, prediction.binCount()));
  }

  public int windowRows() {
    return window.rows();
  }

  @Override
  public void observe(ServedModel model, List<InferInput> inputs, List<OutputTensor> outputs) {
    try {
      InferInput in = featureInput(model.binding(), inputs);
      if (in == null) {
        return;
      }
      int f = features.length;
      int n = (int) in.shape()[0];
      if (in.defaulted() != null && in.defaulted().length == f) {
        // left out of a named-feature request and filled with the default: missing all the same
        for (int c = 0; c < f; c++) {
          if (in.defaulted()[c] > 0) {
            missing[c].increment(in.defaulted()[c]);
          }
        }
      }
      long first = window.claim(n);
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < f; c++) {
          window.set(
              first + r,
              c,
              bin(c, Tensors.readAsDouble(in.datatype(), in.data().buffer(), r * f + c)));
        }
      }
      OutputTensor out = predictionOutput(outputs, n);
      for (int r = 0; r < n; r++) {
        window.set(first + r, f, out == null ? DriftWindow.EMPTY : predictionBin(out, r));
      }
      window.publish(n);
    } catch (RuntimeException e) {
      warnOnce("drift monitoring skipped a request: " + e);
    }
  }

  private int bin(int c, double v) {
    FeatureProfile.Binner b = features[c];
    if (Double.isNaN(v)) {
      missing[c].increment();
      return DriftWindow.EMPTY;
    }
    if (b.outOfRange(v)) {
      outOfRange[c].increment();
    } else if (b.unseen(v)) {
      unseen[c].increment();
    }
    return b.bin(v);
  }

  /** The input the profile's columns describe: the named-feature input, or the only input. */
  private InferInput featureInput(SignatureBinding b, List<InferInput> inputs) {
    String name = b != null && b.hasFeatures() ? b.featureInput().name() : null;
    for (InferInput in : inputs) {
      if ((name == null || in.name().equals(name))
          && in.shape().length == 2
          && in.shape()[1] == features.length
          && in.data().buffer() != null) {
        return in;
      }
    }
    warnOnce(
        "no input of shape [N, "
            + features.length
            + "] for the reference profile's features; drift is not measured");
    return null;
  }

  /** The output the profile's prediction describes, if the request asked for it. */
  private OutputTensor predictionOutput(List<OutputTensor> outputs, int n) {
    if (prediction == null) {
      return null;
    }
    for (OutputTensor t : outputs) {
      if (t.name().equals(profile.prediction().name())
          && t.data() != null
          && t.shape().length >= 1
          && t.shape()[0] == n) {
        return t;
      }
    }
    return null;
  }

  /** Categorical: the arg-max column of row r (the predicted class); numeric: its first value. */
  private int predictionBin(OutputTensor out, int r) {
    int per = out.count() / (int) out.shape()[0];
    if (prediction.kind() == FeatureProfile.Kind.CATEGORICAL) {
      return prediction.bin(out.argMax(r, per));
    }
    double v = Tensors.readAsDouble(out.datatype(), out.data(), r * per);
    return Double.isNaN(v) ? DriftWindow.EMPTY : prediction.bin(v);
  }

  private static double[] expected(FeatureProfile.Binner b) {
    return b.expected();
  }

  private void warnOnce(String message) {
    if (!warned) {
      warned = true;
      LOG.warn(message);
    }
  }

  private static Counter counter(MeterRegistry r, String name, String description, String[] tags) {
    return Counter.builder(name).description(description).tags(tags).register(r);
  }
}
