package dev.starling.runtime.cli;

import dev.starling.runtime.config.ConfigException;
import dev.starling.runtime.config.LiveSettings;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.http.Lifecycle;
import dev.starling.runtime.http.StarlingApp;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.model.ModelFetcher;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.pipeline.InferenceGate;
import dev.starling.runtime.pipeline.JsonLimits;
import dev.starling.runtime.pipeline.Predictor;
import io.javalin.Javalin;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs the predictor process: HTTP up first (live, not ready), then models loaded, verified and
 * warmed up (ready). SIGTERM or SIGINT: not ready, drain, stop, exit 0.
 */
final class RuntimeServer {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeServer.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);

  private final RuntimeConfig cfg;
  private final Path configFile;
  private final Supplier<RuntimeConfig> reread;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final TrainingRun training;
  private final ModelFetcher fetcher;
  private volatile List<String> trainingProblems = List.of();

  /**
   * {@code configFile} (may be null) is watched; {@code reread} reads it again with the flags. With
   * a {@code training} run (may be null), the server runs it once ready and then stops as on
   * SIGTERM, exiting 1 if a training request failed. {@code fetcher} resolves the models' sources,
   * at start and on every config change.
   */
  RuntimeServer(
      RuntimeConfig cfg,
      Path configFile,
      Supplier<RuntimeConfig> reread,
      TrainingRun training,
      ModelFetcher fetcher) {
    this.cfg = cfg;
    this.fetcher = fetcher;
    this.configFile = configFile;
    this.reread = reread;
    this.training = training;
  }

  int run() {
    long t0 = System.nanoTime();
    RuntimeMetrics metrics = new RuntimeMetrics();
    ModelRegistry models = new ModelRegistry(cfg.models(), metrics);
    Lifecycle lifecycle = new Lifecycle();
    LiveSettings live = new LiveSettings(cfg);
    InferenceGate gate = InferenceGate.create(cfg.inference(), metrics.registry());
    Predictor predictor =
        new Predictor(
            JsonLimits.factory(cfg.limits(), cfg.server().maxRequestBytes()),
            cfg.limits().maxElementsPerRequest(),
            gate);
    Javalin app;
    try {
      app =
          StarlingApp.create(
              new StarlingApp.Deps(cfg, models, predictor, metrics, lifecycle, live));
    } catch (ConfigException e) { // a key file or reference profile that cannot be read
      LOG.error("{}", e.getMessage());
      metrics.close();
      return 2;
    }
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    try {
      app.start(cfg.server().host(), cfg.server().port());
      StarlingApp.tune(app, cfg);
    } catch (RuntimeException e) {
      LOG.error(
          "cannot listen on {}:{}: {}", cfg.server().host(), cfg.server().port(), e.getMessage());
      return 1;
    }
    LOG.info("listening on http://{}:{}", cfg.server().host(), app.port());
    if (!models.loadAll(fetcher, cfg.inference())) {
      LOG.error("not every model loaded; exiting");
      app.stop();
      models.close();
      return 1;
    }
    if (configFile != null) {
      ConfigWatcher.start(
          new ConfigWatcher(configFile, reread, models, fetcher, live, Duration.ofSeconds(2)));
    }
    LOG.info(
        "ready in {} ms: {} model(s) on http://{}:{}",
        (System.nanoTime() - t0) / 1_000_000,
        models.all().size(),
        cfg.server().host(),
        app.port());
    if (training != null) {
      startTraining(app.port(), models);
    }
    try {
      stop.await();
      LOG.info(
          "shutting down: not ready now, draining {} in-flight request(s)", lifecycle.inflight());
      boolean drained =
          lifecycle.drain(
              cfg.server().drainDelay(),
              cfg.server().shutdownGracePeriod(),
              () -> StarlingApp.stopAccepting(app));
      if (!drained) {
        LOG.warn("{} request(s) still in flight after the grace period", lifecycle.inflight());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // In-flight counts drop before Jetty has written the response; a graceful Jetty stop closes
    // the listener, lets those responses go out (with Connection: close) and idle connections
    // close, instead of cutting them.
    app.jettyServer().server().setStopTimeout(STOP_TIMEOUT.toMillis());
    app.stop();
    gate.close();
    models.close();
    metrics.close();
    LOG.info("stopped");
    if (!trainingProblems.isEmpty()) {
      LOG.error("training run failed: {}", String.join("; ", trainingProblems));
      return 1;
    }
    return 0;
  }

  private void startTraining(int port, ModelRegistry models) {
    String host = cfg.server().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    URI base = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    var names = models.all().stream().map(m -> m.name()).collect(Collectors.toSet());
    Thread t =
        new Thread(
            () -> {
              try {
                trainingProblems = training.run(base, names);
              } catch (RuntimeException e) {
                trainingProblems = List.of(String.valueOf(e.getMessage()));
              } finally {
                stop.countDown();
              }
            },
            "training-run");
    t.setDaemon(true);
    t.start();
  }
}
