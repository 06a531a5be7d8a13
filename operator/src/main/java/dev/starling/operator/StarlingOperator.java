package dev.starling.operator;

import dev.starling.operator.dependent.SettingsDependentFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/** Wires the JOSDK operator: the client it uses, metrics, leader election and the reconciler. */
public final class StarlingOperator implements AutoCloseable {

  private final Operator operator;

  private StarlingOperator(Operator operator) {
    this.operator = operator;
  }

  /** Registers the reconciler and starts watching; returns once the informers are synced. */
  public static StarlingOperator start(
      KubernetesClient client, OperatorSettings settings, MeterRegistry registry) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withDependentResourceFactory(new SettingsDependentFactory(settings))
                  .withConcurrentReconciliationThreads(settings.reconcileThreads())
                  // each reconciliation applies its five child kinds in parallel
                  .withConcurrentWorkflowExecutorThreads(settings.reconcileThreads() * 2)
                  .withStopOnInformerErrorDuringStartup(true);
              if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        settings.leaseName(), settings.leaseNamespace().orElse(null)));
              }
            });
    operator.register(
        new ModelDeploymentReconciler(new UserEvents(client, Clock.systemUTC()), Clock.systemUTC()),
        c -> c.withReconciliationMaxInterval(settings.resyncPeriod()));
    operator.start();
    return new StarlingOperator(operator);
  }

  /** Whether the operator runs and every informer is connected. */
  public boolean healthy() {
    return operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
