package dev.starling.runtime.pipeline;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the calls that hold an inference permit run: on the request's own thread, or, with {@code
 * inference.niceness} above 0, on a few threads of their own at a lower scheduling priority.
 *
 * <p>Why: on a saturated machine the cheap work (accepting, parsing, shedding with a 503, writing
 * answers) queues for a core behind inferences that hold it for whole scheduler slices; the server
 * answered a shed request in 0.22 ms p99 from its arrival, the client saw it after 13 ms (session
 * 7, quiet machine, heavy model at 3x capacity). A thread's nice value is per thread on Linux and
 * cannot be lowered back without a privilege, so the inference cannot lower and restore the request
 * thread around each call: the call is handed to a thread lowered once, and the request thread
 * waits for it (two context switches per call; only calls long enough to be gated, ~50 µs and up,
 * come here, see {@link GatePolicy}). At most one call per permit runs here, so the threads never
 * queue work behind each other. The JVM's JIT compiler threads are lowered to the same value
 * ({@link CompilerThreads}).
 */
public final class InferenceThreads {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceThreads.class);
  private static final InferenceThreads INLINE = new InferenceThreads(null, 0);

  private final ThreadPoolExecutor pool;
  private final int niceness;

  private InferenceThreads(ThreadPoolExecutor pool, int niceness) {
    this.pool = pool;
    this.niceness = niceness;
  }

  /** Calls run on {@code pool}'s threads, as they are (for tests). */
  static InferenceThreads on(ThreadPoolExecutor pool) {
    return new InferenceThreads(pool, 0);
  }

  /** Calls run on the caller's thread. */
  public static InferenceThreads inline() {
    return INLINE;
  }

  /**
   * {@code threads} threads at {@code niceness} above the server's nice value; with 0, or where it
   * cannot be applied (said in one log line), calls run on the caller's thread.
   */
  public static InferenceThreads create(int threads, int niceness) {
    if (niceness <= 0) {
      return INLINE;
    }
    // one probe thread tells whether the system lets us, before any call depends on it
    Niceness.Outcome probe = onLoweredThread(niceness, () -> null).outcome();
    if (!probe.applied()) {
      LOG.warn(
          "inference.niceness {} not applied ({}); inference runs on the request threads",
          niceness,
          probe.problem());
      return INLINE;
    }
    LOG.info(
        "inference runs on {} thread(s) at nice {} (the server's other threads at {})",
        threads,
        probe.after(),
        probe.before());
    // the JIT compiler would otherwise take the core from them for tens of seconds after the start
    CompilerThreads.keepAt(probe.after());
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t =
                  new Thread(() -> lowered(niceness, r), "starling-infer-" + n.getAndIncrement());
              t.setDaemon(true);
              return t;
            });
    return new InferenceThreads(pool, probe.after() - probe.before());
  }

  private static void lowered(int niceness, Runnable work) {
    Niceness.Outcome o = Niceness.lowerCurrentThread(niceness);
    if (!o.applied()) {
      LOG.warn("an inference thread stays at nice {}: {}", o.before(), o.problem());
    }
    work.run();
  }

  /**
   * A new daemon thread for {@code work} that runs where inferences run: lowered like the calls
   * with {@code inference.niceness}, an ordinary thread without it.
   */
  Thread newThread(Runnable work, String name) {
    Thread t = pool == null ? new Thread(work) : pool.getThreadFactory().newThread(work);
    t.setName(name);
    t.setDaemon(true);
    return t;
  }

  /** How much lower than the rest of the server the calls run (nice increment; 0 = not lowered). */
  public int niceness() {
    return niceness;
  }

  /** Runs {@code call} where inferences run and returns its result (or throws what it threw). */
  public <T> T call(Supplier<T> call) {
    if (pool == null) {
      return call.get();
    }
    Future<T> f = pool.submit(call::get);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          // the call runs on regardless and the caller holds its permit: wait for it to end
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops the inference threads once the calls given to them are done (at shutdown). */
  public void close() {
    if (pool == null) {
      return;
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("inference threads still busy 10 s after shutdown; left to end on their own");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A result and the nice value of the thread that computed it. */
  public record Lowered<T>(T value, Niceness.Outcome outcome) {}

  /**
   * Runs {@code work} on a new thread lowered by {@code niceness} and waits for it; threads it
   * creates (ONNX Runtime's own pool, made when a session is created) inherit the lowered value.
   */
  public static <T> Lowered<T> onLoweredThread(int niceness, Supplier<T> work) {
    Object[] box = new Object[2];
    Thread t =
        new Thread(
            () -> {
              Niceness.Outcome o = Niceness.lowerCurrentThread(niceness);
              box[1] = o;
              try {
                box[0] = work.get();
              } catch (RuntimeException | Error e) {
                box[0] = e;
              }
            },
            "starling-lowered");
    t.start();
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (box[0] instanceof RuntimeException r) {
      throw r;
    }
    if (box[0] instanceof Error err) {
      throw err;
    }
    @SuppressWarnings("unchecked")
    T value = (T) box[0];
    return new Lowered<>(value, (Niceness.Outcome) box[1]);
  }
}
