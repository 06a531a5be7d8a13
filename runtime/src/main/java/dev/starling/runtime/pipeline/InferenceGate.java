package dev.starling.runtime.pipeline;

import java.util.concurrent.Semaphore;

/**
 * Bounds how many inferences run at once in this process. With more request threads than cores
 * inside ONNX Runtime at the same time, they only fight over caches and cores; about one running
 * inference per core keeps both busy while the rest of the request work (JSON, HTTP) overlaps.
 */
public final class InferenceGate {
  private final Semaphore permits;

  public InferenceGate(int maxConcurrent) {
    this.permits = new Semaphore(maxConcurrent);
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
