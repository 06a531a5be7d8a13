package dev.starling.operator;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts the operator: in a cluster with its ServiceAccount, outside one with {@code KUBECONFIG}.
 * Environment: STARLING_RUNTIME_IMAGE, STARLING_LEADER_ELECTION (true), STARLING_LEASE_NAME,
 * STARLING_LEASE_NAMESPACE, STARLING_HTTP_PORT (8081), STARLING_RECONCILE_THREADS (10),
 * STARLING_RESYNC_SECONDS (600).
 *
 * <p>Exit codes: 0 after SIGTERM/SIGINT (Lease released, watches closed); 1 when the operator could
 * not start (e.g. its RBAC forbids a watch) or lost its Lease; 2 for bad settings. Stopping happens
 * on the main thread, never inside a shutdown hook: JOSDK's leader election used to call {@code
 * System.exit} from there, which blocks forever while hooks run.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    System.exit(run());
  }

  static int run() {
    String version =
        Optional.ofNullable(Main.class.getPackage().getImplementationVersion()).orElse("dev");
    OperatorSettings settings;
    try {
      settings = OperatorSettings.fromEnv(System.getenv(), version);
    } catch (IllegalArgumentException e) {
      LOG.error("bad settings: {}", e.getMessage());
      return 2;
    }
    // completed with the exit code by a signal (0) or a lost Lease (1)
    CompletableFuture<Integer> stop = new CompletableFuture<>();
    Signal.handle(new Signal("TERM"), s -> stop.complete(0));
    Signal.handle(new Signal("INT"), s -> stop.complete(0));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    KubernetesClient client =
        OperatorClient.build(new ConfigBuilder().build(), new ApiWriteMetrics(registry));
    StarlingOperator[] operator = new StarlingOperator[1];
    HealthServer health = null;
    try {
      LOG.info(
          "starling-operator {} against {} (runtime image {}, leader election {})",
          version,
          client.getMasterUrl(),
          settings.runtimeImage(),
          settings.leaderElection());
      health =
          HealthServer.start(
              settings.httpPort(), registry, () -> operator[0] != null && operator[0].healthy());
      operator[0] =
          StarlingOperator.start(
              client,
              settings,
              registry,
              () -> {
                if (stop.complete(1)) {
                  LOG.error("lost the Lease {}: stopping", settings.leaseName());
                }
              });
      LOG.info("serving /metrics, /healthz and /readyz on port {}", health.port());
    } catch (Exception e) {
      LOG.error("could not start the operator: {}", rootMessage(e), e);
      stop.complete(1);
    }

    int code = stop.join();
    LOG.info("stopping (exit code {})", code);
    if (operator[0] != null) {
      operator[0].close(); // releases the Lease; its stop-leading callback no longer matters
    }
    if (health != null) {
      health.close();
    }
    client.close();
    return code;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + t + ")";
  }
}
