package dev.starling.runtime.http;

import dev.starling.runtime.config.LiveSettings;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.drift.DriftMonitoring;
import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.pipeline.InferenceListener;
import dev.starling.runtime.pipeline.Predictor;
import dev.starling.runtime.security.AccessControl;
import io.javalin.Javalin;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Builds the runtime's HTTP app from its parts; {@code serve} and the tests both start it. */
public final class StarlingApp {
  private static final int RESULT_COPY_BUFFER_BYTES = 4096;

  /**
   * Connections the kernel holds for the acceptor (the listen backlog; Linux caps it at {@code
   * net.core.somaxconn}). Jetty's default leaves it to the JDK's 50: a burst of new connections
   * larger than that (clients reconnecting at once, a router scaling out) has its SYNs dropped, and
   * each such client waits a whole second for its retransmit.
   */
  public static final int ACCEPT_QUEUE = 1024;

  /**
   * The answer header naming the version that answered: a runtime serving one model sets it itself
   * ({@link InferenceFastPath}); the router drops a backend's copy and sets its own.
   */
  public static final String SERVED_BY = "x-starling-served-by";

  private StarlingApp() {}

  /**
   * What the app serves. {@code live} holds the config in force: a reload applied to it changes
   * auth, rate limits and the in-flight bound without a restart.
   */
  public record Deps(
      RuntimeConfig config,
      ModelRegistry models,
      Predictor predictor,
      RuntimeMetrics metrics,
      Lifecycle lifecycle,
      LiveSettings live) {

    /** With settings that stay as {@code config} says (nothing reloads them). */
    public Deps(
        RuntimeConfig config,
        ModelRegistry models,
        Predictor predictor,
        RuntimeMetrics metrics,
        Lifecycle lifecycle) {
      this(config, models, predictor, metrics, lifecycle, new LiveSettings(config));
    }
  }

  public static Javalin create(Deps deps) {
    RuntimeConfig cfg = deps.config();
    Lifecycle lifecycle = deps.lifecycle();
    LiveSettings live = deps.live();
    return Javalin.create(
        config -> {
          config.startup.showJavalinBanner = false;
          config.startup.showOldJavalinVersionWarning = false;
          config.staticFiles.enableWebjars();
          config.http.maxRequestSize = cfg.server().maxRequestBytes();
          // Javalin copies every result into the response through a buffer of this size, allocated
          // (and zeroed) per response; its default is Jetty's whole output buffer (32 KiB), which
          // cost a few percent of the CPU of a small inference. Jetty still aggregates the writes.
          config.http.responseBufferSize = RESULT_COPY_BUFFER_BYTES;
          config.jetty.threadPool = threadPool(cfg.server().maxThreads());
          config.jetty.modifyServer(
              server -> {
                server.setErrorHandler(new JsonErrorHandler());
                server.addBean(new NetworkConnectionLimit(cfg.server().maxConnections(), server));
                server.addEventListener(acceptQueue(server));
              });
          config.jetty.modifyHttpConfiguration(
              http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                http.setIdleTimeout(cfg.server().idleTimeout().toMillis());
                http.setMinRequestDataRate(cfg.server().minRequestDataRate());
              });
          ErrorResponses.register(config.routes);
          AccessControl access =
              AccessControl.install(live, deps.models(), deps.metrics().registry(), config);
          InferenceListener feedback =
              DriftMonitoring.install(cfg, deps.models(), deps.metrics().registry(), config);
          InferenceService inference =
              new InferenceService(
                  deps.models(),
                  deps.predictor(),
                  lifecycle,
                  cfg.server().maxRequestBytes(),
                  () -> live.get().inference().maxInflight(),
                  () -> live.get().inference().adaptive(),
                  cfg.inference().maxConcurrent(),
                  feedback);
          new V2Routes(deps.models(), lifecycle, inference).register(config.routes);
          new V1Routes(inference).register(config.routes);
          // The inference routes' fast path: a core Jetty handler set as the server's handler
          // here, before Javalin starts, which then attaches its servlet context inside it, so
          // whatever the fast path does not take goes on to Javalin.
          config.jetty.modifyServer(
              server -> server.setHandler(new InferenceFastPath(inference, access, servedBy(cfg))));
          config.routes.get(
              "/metrics",
              ctx ->
                  ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                      .result(deps.metrics().scrape()));
          new OpenApiRoutes(deps.models()).register(config.routes);
        });
  }

  /**
   * Applies connection-level settings once Jetty made its connectors: an idle connection (a client
   * that stopped sending mid-request, or keeps a socket open doing nothing) is closed after {@code
   * server.idleTimeout}.
   */
  public static void tune(Javalin app, RuntimeConfig cfg) {
    for (Connector c : app.jettyServer().server().getConnectors()) {
      if (c instanceof AbstractConnector ac) {
        ac.setIdleTimeout(cfg.server().idleTimeout().toMillis());
      }
    }
  }

  /** Closes the listening sockets: new connections are refused, open ones keep being served. */
  public static void stopAccepting(Javalin app) {
    for (Connector c : app.jettyServer().server().getConnectors()) {
      if (c instanceof ServerConnector sc) {
        sc.close();
      }
    }
  }

  /**
   * The version of the one model this runtime serves (what the operator wrote); null for several.
   */
  static String servedBy(RuntimeConfig cfg) {
    return cfg.models().size() == 1 ? cfg.models().get(0).version() : null;
  }

  /** Sets {@link #ACCEPT_QUEUE} on the connectors Javalin made, before they open their sockets. */
  private static LifeCycle.Listener acceptQueue(Server server) {
    return new LifeCycle.Listener() {
      @Override
      public void lifeCycleStarting(LifeCycle event) {
        for (Connector c : server.getConnectors()) {
          if (c instanceof ServerConnector sc) {
            sc.setAcceptQueueSize(ACCEPT_QUEUE);
          }
        }
      }
    };
  }

  private static QueuedThreadPool threadPool(int maxThreads) {
    QueuedThreadPool pool = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads), 60_000);
    pool.setName("http");
    return pool;
  }
}
