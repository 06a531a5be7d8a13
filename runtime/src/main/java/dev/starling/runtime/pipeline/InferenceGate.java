package dev.starling.runtime.pipeline;

import java.util.concurrent.Semaphore;

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

  public InferenceGate(int maxConcurrent) {
    this.permits = new Semaphore(maxConcurrent, true);
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

  public int waiting() {
    return permits.getQueueLength();
  }
}
