package dev.starling.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the operator: in a cluster with its ServiceAccount, outside one with {@code KUBECONFIG}.
 * Environment: STARLING_RUNTIME_IMAGE, STARLING_LEADER_ELECTION (true), STARLING_LEASE_NAME,
 * STARLING_LEASE_NAMESPACE, STARLING_HTTP_PORT (8081), STARLING_RECONCILE_THREADS (10),
 * STARLING_RESYNC_SECONDS (600).
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    String version =
        Optional.ofNullable(Main.class.getPackage().getImplementationVersion()).orElse("dev");
    OperatorSettings settings = OperatorSettings.fromEnv(System.getenv(), version);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);

    KubernetesClient client =
        new KubernetesClientBuilder()
            .withHttpClientBuilderConsumer(
                b -> b.addOrReplaceInterceptor("writes", new ApiWriteMetrics(registry)))
            .build();
    LOG.info(
        "starling-operator {} against {} (runtime image {}, leader election {})",
        version,
        client.getMasterUrl(),
        settings.runtimeImage(),
        settings.leaderElection());
    StarlingOperator[] operator = new StarlingOperator[1];
    HealthServer health =
        HealthServer.start(
            settings.httpPort(), registry, () -> operator[0] != null && operator[0].healthy());
    operator[0] = StarlingOperator.start(client, settings, registry);
    LOG.info("serving /metrics, /healthz and /readyz on port {}", health.port());

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator[0].close();
                  health.close();
                  client.close();
                  stopped.countDown();
                }));
    stopped.await();
  }
}
