package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.BackendAnswer;
import dev.starling.runtime.router.backend.BackendClient;
import dev.starling.runtime.router.backend.BackendExchange;
import dev.starling.runtime.router.backend.FailureKind;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow traffic. A sampled request is copied to the shadow version at the same time as it goes to
 * the live one; the live answer never waits for the copy. When both answers are in, the comparison
 * runs on one background thread (JSON parsing stays off the request path). Copies in flight are
 * bounded ({@code mirror.maxInflight}) and so is the comparison backlog; what does not fit is
 * dropped and counted.
 */
final class Mirror implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Mirror.class);
  private static final int COMPARE_BACKLOG = 1024;
  static final String MIRROR_HEADER = "x-starling-mirror";

  private final BackendClient client;
  private final RouterMetrics metrics;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicInteger inflight = new AtomicInteger();
  private final ThreadPoolExecutor comparer =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(COMPARE_BACKLOG),
          r -> {
            Thread t = new Thread(r, "mirror-compare");
            t.setDaemon(true);
            return t;
          });

  Mirror(BackendClient client, RouterMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  /** A copy on its way to the shadow; completes with the shadow's answer or its failure. */
  record Copy(String live, String shadow, Double maxAbsDiff, CompletableFuture<Answer> answer) {}

  /** A backend's status and body. */
  record Answer(int status, byte[] body) {}

  /** Sends a copy of {@code req} to the table's shadow if this request is sampled; else null. */
  Copy start(RoutingTable t, VersionRoute live, Forwardable req) {
    VersionRoute shadow = t.mirror();
    if (shadow == null || shadow == live || !t.mirrorSample(sequence.getAndIncrement())) {
      return null;
    }
    int max = t.config().mirror().maxInflight();
    if (inflight.incrementAndGet() > max) {
      inflight.decrementAndGet();
      metrics.mirrorDropped(shadow.name(), "busy");
      return null;
    }
    Endpoint e = shadow.next();
    if (e == null) {
      inflight.decrementAndGet();
      metrics.mirrorDropped(shadow.name(), "no_ready_endpoint");
      return null;
    }
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    BackendExchange.Listener done =
        new BackendExchange.Listener() {
          @Override
          public void onAnswer(BackendAnswer a) {
            inflight.decrementAndGet();
            answer.complete(new Answer(a.status(), a.body()));
          }

          @Override
          public void onFailure(FailureKind kind, Throwable cause) {
            inflight.decrementAndGet();
            answer.completeExceptionally(cause);
          }
        };
    long timeout = t.config().proxy().requestTimeout().toMillis();
    int maxBytes = t.config().proxy().maxResponseBytes();
    client.send(
        e.host(),
        e.port(),
        req.to(e, new HttpField(MIRROR_HEADER, live.name()), timeout, maxBytes, done));
    return new Copy(live.name(), shadow.name(), t.config().mirror().maxAbsDiff(), answer);
  }

  /** Compares the copy's answer with the live one once it is in; only live 200s are compared. */
  void finish(Copy copy, int liveStatus, byte[] liveBody) {
    if (liveStatus != 200) {
      return;
    }
    copy.answer().whenComplete((shadow, failure) -> submit(copy, liveBody, shadow, failure));
  }

  private void submit(Copy copy, byte[] liveBody, Answer shadow, Throwable failure) {
    try {
      comparer.execute(() -> compare(copy, liveBody, shadow, failure));
    } catch (RejectedExecutionException e) {
      metrics.mirrorDropped(copy.shadow(), "compare_backlog");
    }
  }

  private void compare(Copy copy, byte[] liveBody, Answer shadow, Throwable failure) {
    try {
      if (failure != null || shadow.status() != 200) {
        LOG.debug(
            "shadow {} failed: {}",
            copy.shadow(),
            failure != null ? failure.toString() : "status " + shadow.status());
        metrics.mirrorResult(copy.live(), copy.shadow(), AnswerComparison.Result.ERROR.label());
        return;
      }
      AnswerComparison.Outcome o =
          AnswerComparison.compare(liveBody, shadow.body(), copy.maxAbsDiff());
      metrics.mirrorResult(copy.live(), copy.shadow(), o.result().label());
      if (!Double.isNaN(o.maxAbsDiff())) {
        metrics.mirrorDiff(copy.live(), copy.shadow(), o.maxAbsDiff(), o.maxRelDiff());
      }
    } catch (RuntimeException e) {
      LOG.warn("comparing answers of {} and {} failed", copy.live(), copy.shadow(), e);
    }
  }

  @Override
  public void close() {
    comparer.shutdownNow();
  }
}
