package dev.starling.runtime.model;

import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.pipeline.SignatureBinding;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The models this process serves, by name; ready when every one of them is. */
public final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  private final Map<String, ServedModel> models = new LinkedHashMap<>();

  public ModelRegistry(List<ModelConfig> configs, RuntimeMetrics metrics) {
    for (ModelConfig c : configs) {
      ServedModel m = new ServedModel(c, metrics.model(c.name(), c.version()));
      models.put(c.name(), m);
      metrics.readiness(c.name(), c.version(), m::ready);
    }
  }

  public ServedModel get(String name) {
    return models.get(name);
  }

  public Collection<ServedModel> all() {
    return models.values();
  }

  public boolean allReady() {
    for (ServedModel m : models.values()) {
      if (!m.ready()) {
        return false;
      }
    }
    return !models.isEmpty();
  }

  /**
   * Fetches, verifies, loads and warms up every model, in order. Returns false if any failed; the
   * failure is on the model (for readiness answers) and in the log.
   */
  public boolean loadAll(ModelFetcher fetcher, InferenceConfig inference) {
    boolean ok = true;
    for (ServedModel m : models.values()) {
      long t0 = System.nanoTime();
      try {
        ModelConfig c = m.config();
        Path file = fetcher.fetch(c.source().uri(), c.source().sha256(), null);
        OnnxModel loaded = OnnxModel.load(file, Digests.sha256(file), inference.intraOpThreads());
        SignatureBinding binding;
        try {
          binding = SignatureBinding.bind(c.signature(), loaded.signature());
          if (c.warmup()) {
            loaded.warmUp();
          }
        } catch (RuntimeException e) {
          loaded.close();
          throw e;
        }
        m.serve(loaded, binding);
        LOG.info(
            "model {} version {} ready in {} ms (sha256 {}, inputs {}, outputs {})",
            m.name(),
            m.version(),
            (System.nanoTime() - t0) / 1_000_000,
            loaded.sha256(),
            loaded.signature().inputs(),
            loaded.signature().outputs());
      } catch (ModelLoadException | java.io.IOException e) {
        m.fail(e.getMessage());
        LOG.error("model {} version {} failed: {}", m.name(), m.version(), e.getMessage());
        ok = false;
      }
    }
    return ok;
  }

  @Override
  public void close() {
    models.values().forEach(ServedModel::close);
  }
}
