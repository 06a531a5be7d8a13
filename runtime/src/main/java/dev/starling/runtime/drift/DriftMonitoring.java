package dev.starling.runtime.drift;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.DriftConfig;
import dev.starling.runtime.config.FeatureConfig;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.InferenceListener;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires model monitoring from the config: the drift monitor as the observer of the model the
 * reference profile describes, and the feedback endpoint for labelled models.
 */
public final class DriftMonitoring {
  private static final Logger LOG = LoggerFactory.getLogger(DriftMonitoring.class);

  private DriftMonitoring() {}

  /**
   * Reads the reference profile now (and again whenever its file changes, see {@link
   * ProfileReloader}); a ConfigException names the field if it cannot. Answers what the inference
   * endpoints must tell of each successful v2 answer (feedback's memory of it).
   */
  public static InferenceListener install(
      RuntimeConfig cfg, ModelRegistry models, MeterRegistry registry, JavalinConfig app) {
    DriftConfig d = cfg.drift();
    if (d.enabled()) {
      ServedModel m = target(d, models);
      ReferenceProfile profile = load(d.reference());
      checkFeatures(profile, m.config());
      DriftMonitor monitor = new DriftMonitor(profile, d.window(), m.name(), m.version(), registry);
      m.observer(monitor);
      ProfileReloader reloader =
          new ProfileReloader(Path.of(d.reference()), m, d.window(), registry, monitor);
      app.events.serverStarted(reloader::start);
      app.events.serverStopped(reloader::close);
      LOG.info(
          "drift monitoring for model {} over the last {} rows against {} ({} features)",
          m.name(),
          d.window(),
          d.reference(),
          profile.features().size());
    }
    if (d.feedback().enabled()) {
      Map<String, FeedbackLedger> ledgers = new HashMap<>();
      for (ServedModel m : models.all()) {
        if (m.config().signature() != null && !m.config().signature().labels().isEmpty()) {
          ledgers.put(m.name(), new FeedbackLedger(d.feedback(), m.name(), m.version(), registry));
        }
      }
      return new FeedbackRoutes(models, ledgers).register(app.routes);
    }
    return InferenceListener.NONE;
  }

  private static ServedModel target(DriftConfig d, ModelRegistry models) {
    if (d.model() != null) {
      ServedModel m = models.get(d.model());
      if (m == null) {
        throw new ConfigException("drift.model: '" + d.model() + "' is not served here");
      }
      return m;
    }
    if (models.all().size() != 1) {
      throw new ConfigException("drift.model: name the model the reference profile describes");
    }
    return models.all().iterator().next();
  }

  static ReferenceProfile load(String file) {
    try {
      return ReferenceProfile.read(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("drift.reference: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** With named features, the profile must describe the same features in the same order. */
  static void checkFeatures(ReferenceProfile profile, ModelConfig m) {
    if (m.signature() == null || m.signature().features().isEmpty()) {
      return;
    }
    List<String> want = m.signature().features().stream().map(FeatureConfig::name).toList();
    List<String> have = profile.features().stream().map(FeatureProfile::name).toList();
    if (!want.equals(have)) {
      throw new ConfigException(
          "drift.reference: the profile's features "
              + have
              + " are not model '"
              + m.name()
              + "''s signature features "
              + want);
    }
  }
}
