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
  private volatile long lastRequest = System.nanoTime();

  /** Quiet time that ends the drain: every client still sending has had a Connection: close. */
  private static final Duration QUIET = Duration.ofMillis(250);

  public boolean shuttingDown() {
    return shuttingDown;
  }

  public boolean closeConnections() {
    return closeConnections;
  }

  public void enter() {
    inflight.incrementAndGet();
    lastRequest = System.nanoTime();
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

  /**
   * Drains: not ready, {@code drainDelay}, then {@code stopAccepting} (close the listener) and
   * {@code Connection: close} on every further answer, so each keep-alive client is told to go on
   * its next request instead of having an idle connection closed under a request it is sending.
   * Ends when nothing is in flight and no request started for {@link #QUIET}, or at the grace
   * period; true if nothing was left in flight.
   */
  public boolean drain(Duration drainDelay, Duration grace, Runnable stopAccepting)
      throws InterruptedException {
    shuttingDown = true;
    Thread.sleep(drainDelay.toMillis());
    closeConnections = true;
    stopAccepting.run();
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline
        && (inflight.get() > 0 || System.nanoTime() - lastRequest < QUIET.toNanos())) {
      Thread.sleep(5);
    }
    return inflight.get() == 0;
  }
}
