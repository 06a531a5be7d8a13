package dev.starling.operator;

import dev.starling.operator.dependent.SettingsDependentFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** Wires the JOSDK operator: the client it uses, metrics, leader election and the reconciler. */
public final class StarlingOperator implements AutoCloseable {

  private final Operator operator;
  private final AtomicBoolean stopping;
  private final Optional<LeaseRelease> lease;

  private StarlingOperator(
      Operator operator, AtomicBoolean stopping, Optional<LeaseRelease> lease) {
    this.operator = operator;
    this.stopping = stopping;
    this.lease = lease;
  }

  /** Registers the reconciler and starts watching; returns once the informers are synced. */
  public static StarlingOperator start(
      KubernetesClient client, OperatorSettings settings, MeterRegistry registry) {
    return start(client, settings, registry, () -> {});
  }

  /**
   * As above; {@code onLeaseLost} runs when leadership ends other than through {@link #close()}.
   * JOSDK's own reaction (System.exit from the leader elector) is switched off: run inside a
   * shutdown hook it deadlocks the JVM, so the caller decides how to stop.
   */
  public static StarlingOperator start(
      KubernetesClient client,
      OperatorSettings settings,
      MeterRegistry registry,
      Runnable onLeaseLost) {
    AtomicBoolean stopping = new AtomicBoolean();
    Optional<LeaseRelease> lease =
        settings.leaderElection()
            ? Optional.of(
                new LeaseRelease(
                    client,
                    settings.leaseNamespace().orElseGet(client::getNamespace),
                    settings.leaseName(),
                    LeaseRelease.newIdentity()))
            : Optional.empty();
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
                        settings.leaseName(),
                        lease.get().namespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        lease.get().identity(),
                        new LeaderCallbacks(
                            () -> {},
                            () -> {
                              if (!stopping.get()) {
                                onLeaseLost.run();
                              }
                            },
                            leader -> {}),
                        false));
              }
            });
    operator.register(
        new ModelDeploymentReconciler(new UserEvents(client, Clock.systemUTC()), Clock.systemUTC()),
        c -> c.withReconciliationMaxInterval(settings.resyncPeriod()));
    try {
      operator.start();
    } catch (RuntimeException e) {
      stopping.set(true); // stop what did start (informers, leader election) before failing
      try {
        operator.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return new StarlingOperator(operator, stopping, lease);
  }

  /** Whether the operator runs and every informer is connected. */
  public boolean healthy() {
    return operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    stopping.set(true);
    operator.stop();
    lease.ifPresent(LeaseRelease::release);
  }
}
