package dev.starling.runtime.pipeline;

import dev.starling.runtime.config.InferenceConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Semaphore;
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

  public InferenceGate(int maxConcurrent) {
    this(maxConcurrent, InferenceThreads.inline());
  }

  public InferenceGate(int maxConcurrent, InferenceThreads threads) {
    this.permits = new Semaphore(maxConcurrent, true);
    this.threads = threads;
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

  public void leave() {
    permits.release();
  }

  /** Stops the threads calls run on, if any (see {@link InferenceThreads#close}). */
  public void close() {
    threads.close();
  }

  public int waiting() {
    return permits.getQueueLength();
  }
}
