package dev.starling.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's reconciliation and workflow threads: named, daemon-free, and with their own
 * handler for an exception that escapes a task, which logs it with the thread's name and counts it
 * as {@code starling_operator_uncaught_errors_total} instead of leaving it to the JVM's default
 * handler (a bare stack trace on stderr).
 *
 * <p>Reconciler errors never get here (JOSDK catches them and retries); what does is an error in
 * JOSDK's own bookkeeping after a reconciliation. One is known: when a ModelDeployment is deleted
 * while its reconciliation ends with a retry or resync, JOSDK's timer source cancels the timer task
 * it has just registered (informer thread) before the reconciliation thread schedules it, and
 * {@code java.util.Timer} throws "Task already scheduled or cancelled". The object is gone, so
 * nothing is lost, but it must not look like (or, in tests, be reported as) a crash.
 */
final class OperatorThreads implements ThreadFactory {

  private static final Logger log = LoggerFactory.getLogger(OperatorThreads.class);

  private final String prefix;
  private final Counter uncaught;
  private final AtomicInteger next = new AtomicInteger();

  OperatorThreads(String prefix, MeterRegistry registry) {
    this.prefix = prefix;
    this.uncaught =
        Counter.builder("starling.operator.uncaught.errors")
            .description(
                "Exceptions that escaped a task on the operator's reconciliation or workflow"
                    + " threads (logged; the thread's pool replaces it)")
            .register(registry);
  }

  /** A fixed pool of {@code threads} threads made by this factory. */
  static ExecutorService pool(String prefix, int threads, MeterRegistry registry) {
    return Executors.newFixedThreadPool(threads, new OperatorThreads(prefix, registry));
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, prefix + "-" + next.incrementAndGet());
    thread.setUncaughtExceptionHandler(this::uncaught);
    return thread;
  }

  private void uncaught(Thread thread, Throwable error) {
    uncaught.increment();
    log.error("uncaught exception on operator thread {}", thread.getName(), error);
  }
}
