package dev.starling.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The process's Prometheus registry: JVM and process metrics, plus one {@link ModelMeters} per
 * served model version. Metric names follow Prometheus conventions (base units, {@code _total}).
 */
public final class RuntimeMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, ModelMeters> models = new ConcurrentHashMap<>();
  private JvmGcMetrics gc;

  public RuntimeMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public ModelMeters model(String name, String version) {
    return models.computeIfAbsent(
        name + "\0" + version, k -> new ModelMeters(registry, name, version));
  }

  /** A gauge for whether a model version serves (1) or not (0). */
  public void readiness(String name, String version, Supplier<Boolean> ready) {
    Gauge.builder("starling.model.ready", () -> ready.get() ? 1 : 0)
        .description("1 when the model version is loaded, verified and warmed up")
        .tags("model", name, "version", version)
        .register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }

  public void close() {
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }
}
