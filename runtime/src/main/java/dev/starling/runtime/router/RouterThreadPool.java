package dev.starling.runtime.router;

import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The router's thread pool, which runs one kind of job on the calling thread instead of handing it
 * to another: Jetty's "resume reading this connection" ({@link HttpConnection} itself, submitted
 * when a response completes after the handler returned, which is every proxied response). The
 * thread that wrote the answer is a selector thread that never blocks, and reading the caller's
 * next request is non-blocking too (this router's handler never blocks), so the hand-off only cost
 * a wake-up, a context switch and an idle poll per request.
 */
final class RouterThreadPool extends QueuedThreadPool {
  RouterThreadPool(int maxThreads) {
    super(maxThreads, Math.min(8, maxThreads));
    setName("router");
  }

  @Override
  public void execute(Runnable job) {
    if (job instanceof HttpConnection) {
      job.run();
    } else {
      super.execute(job);
    }
  }
}
