package dev.starling.runtime.testing;

import dev.starling.runtime.config.ConfigValidator;
import dev.starling.runtime.config.LiveSettings;
import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.config.SignatureConfig;
import dev.starling.runtime.config.SourceConfig;
import dev.starling.runtime.http.Lifecycle;
import dev.starling.runtime.http.StarlingApp;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.model.ModelFetcher;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.pipeline.InferenceGate;
import dev.starling.runtime.pipeline.JsonLimits;
import dev.starling.runtime.pipeline.Predictor;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real runtime app on a loopback port, serving the bundled sample models, with a plain JDK HTTP
 * client: what the HTTP tests talk to.
 */
public final class TestingServer implements AutoCloseable {
  public static final List<String> SAMPLE_MODELS =
      List.of("iris", "iris_tree", "fraud", "mlp", "heavy", "types");

  /** No test request may hang: a server that does not answer fails the test instead. */
  private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(60);

  private final Javalin app;
  private final ModelRegistry models;
  private final RuntimeMetrics metrics;
  private final LiveSettings live;
  private final Lifecycle lifecycle = new Lifecycle();
  private final InferenceGate gate;
  private final HttpClient client = HttpClient.newHttpClient();

  private TestingServer(RuntimeConfig cfg) {
    cfg = ConfigValidator.validate(cfg);
    metrics = new RuntimeMetrics();
    models = new ModelRegistry(cfg.models(), metrics);
    gate = InferenceGate.create(cfg.inference(), metrics.registry());
    Predictor predictor =
        new Predictor(
            JsonLimits.factory(cfg.limits(), cfg.server().maxRequestBytes()),
            cfg.limits().maxElementsPerRequest(),
            gate);
    live = new LiveSettings(cfg);
    app =
        StarlingApp.create(new StarlingApp.Deps(cfg, models, predictor, metrics, lifecycle, live));
    app.start("127.0.0.1", 0);
    StarlingApp.tune(app, cfg);
    if (!models.loadAll(new ModelFetcher(), cfg.inference())) {
      close();
      throw new IllegalStateException("sample models did not load");
    }
  }

  /** Serves exactly {@code cfg} (its models, on its host and port). */
  public static TestingServer start(RuntimeConfig cfg) {
    return new TestingServer(cfg);
  }

  /** Serves the sample models (with their signature sidecars) under the given config. */
  public static TestingServer samples(RuntimeConfig base) {
    return samples(base, m -> m);
  }

  /** Serves the sample models, each model's config adjusted by {@code adjust}. */
  public static TestingServer samples(
      RuntimeConfig base, java.util.function.UnaryOperator<ModelConfig> adjust) {
    List<ModelConfig> ms = new ArrayList<>();
    for (String name : SAMPLE_MODELS) {
      ms.add(adjust.apply(sample(name)));
    }
    RuntimeConfig cfg =
        base.withModels(ms).withServer(base.server().withHost("127.0.0.1").withPort(0));
    return new TestingServer(cfg);
  }

  public static TestingServer samples() {
    return samples(new RuntimeConfig(ServerConfig.defaults(), null, null, null, null));
  }

  public static ModelConfig sample(String name) {
    Path file = Samples.model(name);
    SignatureConfig sig = Samples.signature(name);
    return new ModelConfig(name, "1", new SourceConfig(file.toUri().toString(), null), sig, true);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + app.port() + path;
  }

  public int port() {
    return app.port();
  }

  /** The Jetty server's own handler (the first to see each request). */
  public org.eclipse.jetty.server.Handler jettyHandler() {
    return app.jettyServer().server().getHandler();
  }

  public ModelRegistry models() {
    return models;
  }

  public RuntimeMetrics metrics() {
    return metrics;
  }

  /** Readiness and draining; its in-flight count includes admitted requests whose body is due. */
  public Lifecycle lifecycle() {
    return lifecycle;
  }

  /** The config in force; applying a new one is what a config reload does. */
  public LiveSettings live() {
    return live;
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(TIMEOUT).GET().build());
  }

  public HttpResponse<String> post(String path, String body) {
    return post(path, "application/json", body);
  }

  public HttpResponse<String> post(String path, String contentType, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(path)))
            .timeout(TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.build());
  }

  public HttpResponse<String> send(HttpRequest req) {
    try {
      return client.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    app.stop();
    gate.close();
    models.close();
    metrics.close();
  }
}
