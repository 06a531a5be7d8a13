package dev.starling.runtime.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readiness and draining for the whole process. Shutdown runs in this order: not ready (so load
 * balancers and the router stop sending), wait {@code drainDelay}, close keep-alive connections
 * after their current response, wait for in-flight requests up to the grace period, then stop.
 */
public final class Lifecycle {
  private final AtomicInteger inflight = new AtomicInteger();
  private volatile boolean shuttingDown;
  private volatile boolean closeConnections;

  public boolean shuttingDown() {
    return shuttingDown;
  }

  public boolean closeConnections() {
    return closeConnections;
  }

  public void enter() {
    inflight.incrementAndGet();
  }

  public void leave() {
    inflight.decrementAndGet();
  }

  public int inflight() {
    return inflight.get();
  }

  public void beginShutdown() {
    shuttingDown = true;
  }

  /** Waits for in-flight requests to finish; true if they all did within {@code grace}. */
  public boolean drain(Duration drainDelay, Duration grace) throws InterruptedException {
    shuttingDown = true;
    Thread.sleep(drainDelay.toMillis());
    closeConnections = true;
    long deadline = System.nanoTime() + grace.toNanos();
    while (inflight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return inflight.get() == 0;
  }
}
