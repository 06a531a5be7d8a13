package dev.starling.bench;

import dev.starling.runtime.config.ConfigValidator;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.SourceConfig;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.model.ModelFetcher;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.pipeline.InferenceGate;
import dev.starling.runtime.pipeline.JsonLimits;
import dev.starling.runtime.pipeline.Predictor;
import java.util.List;

/**
 * One sample model loaded the way {@code serve} loads it (registry, fetch, ONNX Runtime session,
 * warm-up) with a {@link Predictor} built from the default limits: what the benchmarks call.
 */
final class LoadedModel implements AutoCloseable {
  final RuntimeConfig config;
  final ServedModel served;
  final Predictor predictor;
  final byte[] request;
  private final RuntimeMetrics metrics;
  private final ModelRegistry registry;

  private LoadedModel(String name) {
    ModelConfig model =
        new ModelConfig(
            name, "1", new SourceConfig(Samples.model(name).toString(), null), null, true);
    config = ConfigValidator.validate(new RuntimeConfig(null, null, null, null, List.of(model)));
    metrics = new RuntimeMetrics();
    registry = new ModelRegistry(config.models(), metrics);
    if (!registry.loadAll(new ModelFetcher(), config.inference())) {
      registry.close();
      throw new IllegalStateException("sample model " + name + " did not load");
    }
    served = registry.get(name);
    predictor =
        new Predictor(
            JsonLimits.factory(config.limits(), config.server().maxRequestBytes()),
            config.limits().maxElementsPerRequest(),
            new InferenceGate(config.inference().maxConcurrent()));
    request = Samples.request(name);
  }

  static LoadedModel load(String name) {
    return new LoadedModel(name);
  }

  @Override
  public void close() {
    registry.close();
    metrics.close();
  }
}
