package dev.starling.runtime.router.backend;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request to one backend and the one callback it ends with: an answer (any status) or a failure
 * of a known {@link FailureKind}. The request is rendered bytes: head (request line and headers)
 * and body, written in one gathered write.
 */
public final class BackendExchange {
  /** Receives the outcome; called exactly once, on a selector or pool thread. */
  public interface Listener {
    void onAnswer(BackendAnswer answer);

    void onFailure(FailureKind kind, Throwable cause);
  }

  final ByteBuffer head;
  final byte[] body;
  final boolean headRequest;
  final long timeoutMillis;
  final int maxResponseBytes;
  private final Listener listener;
  private final AtomicBoolean done = new AtomicBoolean();

  public BackendExchange(
      ByteBuffer head,
      byte[] body,
      boolean headRequest,
      long timeoutMillis,
      int maxResponseBytes,
      Listener listener) {
    this.head = head;
    this.body = body;
    this.headRequest = headRequest;
    this.timeoutMillis = timeoutMillis;
    this.maxResponseBytes = maxResponseBytes;
    this.listener = listener;
  }

  void answer(BackendAnswer answer) {
    if (done.compareAndSet(false, true)) {
      listener.onAnswer(answer);
    }
  }

  void fail(FailureKind kind, Throwable cause) {
    if (done.compareAndSet(false, true)) {
      listener.onFailure(kind, cause);
    }
  }

  boolean done() {
    return done.get();
  }
}
