package dev.starling.runtime.model;

import dev.starling.runtime.config.CacheConfig;
import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.pipeline.BatchSizing;
import dev.starling.runtime.pipeline.Batcher;
import dev.starling.runtime.pipeline.PredictionCache;
import dev.starling.runtime.pipeline.SignatureBinding;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The models this process serves, by name; ready when every one of them is. */
public final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  private final Map<String, ServedModel> models = new LinkedHashMap<>();

  /**
   * Every cache a model ever had, kept when the cache is turned off: its meters are registered once
   * per model and stay bound to it, so turning it on again reuses it (emptied).
   */
  private final Map<String, PredictionCache> caches = new ConcurrentHashMap<>();

  private final RuntimeMetrics metrics;

  public ModelRegistry(List<ModelConfig> configs, RuntimeMetrics metrics) {
    this.metrics = metrics;
    for (ModelConfig c : configs) {
      ServedModel m = new ServedModel(c, metrics.model(c.name(), c.version()));
      applyCache(m, c.cache());
      models.put(c.name(), m);
      metrics.readiness(c.name(), c.version(), m::ready);
      Gauge.builder("starling.batch.max.rows", m, ServedModel::maxBatchRows)
          .description("Most rows one batched call may hold now: configured, capped by measurement")
          .tags("model", c.name(), "version", c.version())
          .strongReference(true)
          .register(metrics.registry());
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
      try {
        ServedModel.Serving s = load(m.config(), fetcher, inference);
        m.serve(s.model(), s.binding());
      } catch (ModelLoadException | IOException e) {
        m.fail(e.getMessage());
        LOG.error("model {} version {} failed: {}", m.name(), m.version(), e.getMessage());
        ok = false;
      }
    }
    return ok;
  }

  /**
   * Applies a reloaded config's models in place. Batching and cache settings apply at once: the
   * predictor hands batching to the model's batcher from the next batch on; the cache is resized,
   * re-timed, turned on or off for the requests that start from now on. Then, for every model whose
   * source or signature changed, the swap: loads, verifies and warms up the new session, then
   * switches new requests to it; requests in flight finish on the old session, which closes after
   * them. A replacement that fails leaves the old session serving (readiness unchanged) and is
   * reported in the log and a metric. Returns how many models were swapped.
   */
  public int reload(List<ModelConfig> configs, ModelFetcher fetcher, InferenceConfig inference) {
    int swapped = 0;
    for (ModelConfig c : configs) {
      ServedModel m = models.get(c.name());
      if (m == null) {
        LOG.warn("model {} is new in the config; adding models needs a restart", c.name());
        continue;
      }
      ModelConfig old = m.config();
      if (!old.batching().equals(c.batching()) || !old.cache().equals(c.cache())) {
        OnnxModel serving = m.model();
        if (c.batching().enabled()
            && serving != null
            && (serving.batchSizing() == null
                || serving.batchSizing().tooShort() && !c.batching().opportunistic())) {
          // loaded with batching off, or only opportunistic (short calls not probed): measure
          // now, while serving
          sizeBatches(c, serving);
        }
        m.reconfigure(old.withBatching(c.batching()).withCache(c.cache()));
        applyCache(m, c.cache());
        LOG.info("model {}: batching now {}, cache {}", c.name(), c.batching(), c.cache());
      }
      if (Objects.equals(old.source(), c.source())
          && Objects.equals(old.signature(), c.signature())) {
        continue;
      }
      try {
        ServedModel.Serving s = load(c, fetcher, inference);
        m.reconfigure(c);
        m.serve(s.model(), s.binding());
        m.meters().swap("ok");
        LOG.info(
            "model {} now serves {} (sha256 {})", c.name(), c.source().uri(), s.model().sha256());
        swapped++;
      } catch (ModelLoadException | IOException e) {
        m.swapFailed(e.getMessage());
        m.meters().swap("failed");
        LOG.error(
            "model {}: new source {} failed, the old one keeps serving: {}",
            c.name(),
            c.source().uri(),
            e.getMessage());
      }
    }
    return swapped;
  }

  /**
   * Measures at which batch size this session stops gaining per row and caps its batches there
   * (batching off for a model that does not gain at all); logged, and in the {@code
   * starling_batch_max_rows} gauge.
   */
  private static void sizeBatches(ModelConfig c, OnnxModel model) {
    if (!Batcher.batchable(model)) {
      return;
    }
    BatchSizing.Decision d =
        BatchSizing.decide(
            model::timeCall, c.batching().opportunistic() ? BatchSizing.QUEUEING_CALL_NANOS : 0);
    model.batchSizing(d);
    LOG.info(
        "model {} version {}: batch sizing {} (configured maxBatchSize {})",
        c.name(),
        c.version(),
        d.describe(),
        c.batching().maxBatchSize());
  }

  /** Turns the model's cache on (resized to {@code next}) or off (emptied). */
  private void applyCache(ServedModel m, CacheConfig next) {
    if (!next.enabled()) {
      PredictionCache was = m.cache();
      m.cache(null);
      if (was != null) {
        was.clear();
      }
      return;
    }
    PredictionCache cache =
        caches.computeIfAbsent(
            m.name(), n -> new PredictionCache(next, metrics.registry(), n, m.version()));
    cache.resize(next);
    m.cache(cache);
  }

  private static ServedModel.Serving load(
      ModelConfig c, ModelFetcher fetcher, InferenceConfig inference) throws IOException {
    long t0 = System.nanoTime();
    Path file = fetcher.fetch(c.source().uri(), c.source().sha256(), null);
    OnnxModel loaded =
        OnnxModel.load(
            file, Digests.sha256(file), inference.intraOpThreads(), inference.niceness());
    SignatureBinding binding;
    try {
      binding = SignatureBinding.bind(c.signature(), loaded.signature());
      if (c.warmup()) {
        loaded.warmUp();
      }
      if (c.batching().enabled()) {
        sizeBatches(c, loaded);
      }
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
    LOG.info(
        "model {} version {} ready in {} ms (sha256 {}, inputs {}, outputs {})",
        c.name(),
        c.version(),
        (System.nanoTime() - t0) / 1_000_000,
        loaded.sha256(),
        loaded.signature().inputs(),
        loaded.signature().outputs());
    return new ServedModel.Serving(loaded, binding);
  }

  @Override
  public void close() {
    models.values().forEach(ServedModel::close);
  }
}
