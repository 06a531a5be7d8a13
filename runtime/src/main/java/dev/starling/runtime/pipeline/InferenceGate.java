package dev.starling.runtime.pipeline;

import dev.starling.runtime.config.InferenceConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Bounds how many inferences run at once in this process. With more request threads than cores
 * inside ONNX Runtime at the same time, they only fight over caches and cores; about one running
 * inference per core keeps both busy while the rest of the request work (JSON, HTTP) overlaps.
 *
 * <p>Waiters are served first come, first served (a fair semaphore): under overload a thread that
 * just released a permit, or just arrived, cannot take one ahead of requests already waiting, so an
 * admitted request waits at most for those admitted before it ({@code maxInflight} bounds how many)
 * instead of losing the race again and again (the long tail of admitted latency). The batcher's
 * {@link #tryEnter} still takes a free permit at once: its leader serves the queue.
 */
public final class InferenceGate {
  private final Semaphore permits;
  private final InferenceThreads threads;
  private final int runnerCount;

  /** Long calls that found every permit taken, oldest first, for the gate's runners. */
  private final ConcurrentLinkedQueue<Queued<?>> queued = new ConcurrentLinkedQueue<>();

  /** One release per queued call: the runners wait on it. */
  private final Semaphore queuedCalls = new Semaphore(0);

  /** The runner threads, guarded by itself. */
  private final List<Thread> runners = new ArrayList<>();

  private volatile boolean runnersStarted;
  private volatile boolean closed;

  public InferenceGate(int maxConcurrent) {
    this(maxConcurrent, InferenceThreads.inline());
  }

  public InferenceGate(int maxConcurrent, InferenceThreads threads) {
    this.permits = new Semaphore(maxConcurrent, true);
    this.threads = threads;
    this.runnerCount = maxConcurrent;
  }

  /**
   * The process's gate as configured: {@code maxConcurrent} permits, and the calls holding them run
   * {@code niceness} lower ({@link InferenceThreads}); the nice increment in force is exported as
   * {@code starling_inference_niceness}.
   */
  public static InferenceGate create(InferenceConfig cfg, MeterRegistry registry) {
    InferenceThreads threads = InferenceThreads.create(cfg.maxConcurrent(), cfg.niceness());
    Gauge.builder("starling.inference.niceness", threads::niceness)
        .description(
            "How much higher the nice value of the threads running gated inferences is than the"
                + " server's (inference.niceness as applied; 0 = not lowered)")
        .register(registry);
    return new InferenceGate(cfg.maxConcurrent(), threads);
  }

  /** Runs an inference that holds a permit where inferences run (see {@link InferenceThreads}). */
  public <T> T call(Supplier<T> inference) {
    return threads.call(inference);
  }

  /**
   * Runs a long inference (one estimated at {@link GatePolicy#UNGATED_BELOW_NANOS} or more) under a
   * permit and returns its result, or throws what it threw. With a permit free and no long call
   * waiting, it runs at once as {@link #call} does. Otherwise it joins a queue served in arrival
   * order by the gate's runners, one thread per permit: a runner that ends a call takes the next
   * queued one without a hand-off, so the core goes straight on to the next inference.
   *
   * <p>Why: with the waiting requests parked on the permits, each freed permit went to a request
   * thread that first had to be woken and get a core, and the permit stood idle meanwhile. The
   * heavy sample model at 32 connections left 0.34 of the 2 cores idle and served 2,396 req/s,
   * against 2,964 at 2 connections where no request waits (session 11, quiet EPYC). The request
   * thread now waits for its answer instead, which costs its own latency only, not the model's
   * throughput.
   */
  public <T> T runLong(Supplier<T> inference) {
    // at once only when nobody waits: no queued long call, no thread in enter() or tryEnter(nanos)
    if (queued.isEmpty() && !permits.hasQueuedThreads() && permits.tryAcquire()) {
      try {
        return threads.call(inference);
      } finally {
        permits.release();
      }
    }
    if (closed) {
      throw ApiException.unavailable("the server is shutting down");
    }
    startRunners();
    Queued<T> q = new Queued<>(inference);
    queued.add(q);
    queuedCalls.release();
    if (closed) {
      failQueued(); // closed while it was being queued: no runner is left to take it
    }
    return q.await();
  }

  /** Starts the runners on the first call that queues (a gate that never queues has none). */
  private void startRunners() {
    if (runnersStarted) {
      return;
    }
    synchronized (runners) {
      if (!runnersStarted && !closed) {
        for (int i = 0; i < runnerCount; i++) {
          Thread t = threads.newThread(this::runQueued, "starling-gate-" + i);
          runners.add(t);
          t.start();
        }
        runnersStarted = true;
      }
    }
  }

  /** A runner: takes queued calls oldest first and runs each under a permit. */
  private void runQueued() {
    while (!closed) {
      try {
        queuedCalls.acquire();
      } catch (InterruptedException e) {
        continue; // close() interrupts; the loop's condition ends it
      }
      try {
        // fair: behind any thread already waiting in enter() or tryEnter(nanos). Taken before the
        // call is, so a request that finds the queue empty may run at once only when no queued
        // call is waiting for a permit (see runLong).
        permits.acquire();
      } catch (InterruptedException e) {
        queuedCalls.release(); // the call stays queued; close() fails it
        continue;
      }
      try {
        Queued<?> q = queued.poll();
        if (q != null) {
          q.run();
        }
      } finally {
        permits.release();
      }
    }
  }

  private void failQueued() {
    Queued<?> q;
    while ((q = queued.poll()) != null) {
      q.fail(ApiException.unavailable("the server is shutting down"));
    }
  }

  /** A queued long call and its outcome; its request thread parks until a runner has run it. */
  private static final class Queued<T> {
    private final Supplier<T> inference;
    private final Thread owner = Thread.currentThread();
    private T value;
    private Throwable failure;
    private volatile boolean done;

    Queued(Supplier<T> inference) {
      this.inference = inference;
    }

    void run() {
      try {
        value = inference.get();
      } catch (Throwable t) {
        failure = t; // the request's thread throws it, as if it had made the call itself
      } finally {
        finish();
      }
    }

    void fail(RuntimeException e) {
      failure = e;
      finish();
    }

    private void finish() {
      done = true;
      LockSupport.unpark(owner);
    }

    T await() {
      boolean interrupted = false;
      while (!done) {
        LockSupport.park(this);
        // the call runs on regardless (ONNX Runtime cannot be stopped halfway): wait for it
        interrupted |= Thread.interrupted();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure instanceof RuntimeException r) {
        throw r;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure != null) {
        throw new IllegalStateException(failure);
      }
      return value;
    }
  }

  public void enter() {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("the server is shutting down");
    }
  }

  public boolean tryEnter() {
    return permits.tryAcquire();
  }

  /**
   * A permit within {@code nanos}, waiting in line behind the threads already waiting (fair), or
   * false. A batch leader waits this way: with only {@link #tryEnter}, the gate's runners, which
   * take a permit back the moment they give it up, would leave it none while a long model is busy.
   */
  public boolean tryEnter(long nanos) {
    try {
      return permits.tryAcquire(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public void leave() {
    permits.release();
  }

  /**
   * Stops the gate's runners, failing any call still queued with a 503 (at shutdown, after the
   * drain), and the threads calls run on, if any (see {@link InferenceThreads#close}).
   */
  public void close() {
    closed = true;
    synchronized (runners) {
      runners.forEach(Thread::interrupt);
    }
    failQueued();
    threads.close();
  }

  /** Long calls queued for the runners, not yet taken (for tests). */
  int queuedLong() {
    return queued.size();
  }

  public int waiting() {
    return permits.getQueueLength();
  }
}
