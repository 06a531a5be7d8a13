package dev.starling.operator;

import dev.starling.operator.dependent.SettingsDependentFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
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
                  .withConcurrentWorkflowExecutorThreads(workflowThreads(settings))
                  // pools of this Operator only (it is never restarted: a new one is built)
                  .withExecutorService(
                      OperatorThreads.pool("reconcile", settings.reconcileThreads(), registry))
                  .withWorkflowExecutorService(
                      OperatorThreads.pool("workflow", workflowThreads(settings), registry))
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

  /**
   * Threads that apply children, shared by all reconciliations: one per child kind (the workflow's
   * dependents) for each reconciliation thread, so that a reconciliation applies its kinds at once
   * and takes as long as its slowest kind. With two per reconciliation thread (before), thread
   * dumps while 200 ModelDeployments were created showed the pool full (19-20 of 20 busy) in half
   * of them, with ~7 of the 10 reconciliations waiting on it. The threads mostly wait on HTTP
   * answers, so more of them cost little.
   */
  static int workflowThreads(OperatorSettings settings) {
    return settings.reconcileThreads() * WORKFLOW_DEPENDENTS;
  }

  /** Child kinds in {@link ModelDeploymentReconciler}'s workflow. */
  static final int WORKFLOW_DEPENDENTS =
      ModelDeploymentReconciler.class.getAnnotation(Workflow.class).dependents().length;

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
