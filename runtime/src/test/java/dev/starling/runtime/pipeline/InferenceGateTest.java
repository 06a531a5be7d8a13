package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The inference gate's order under contention. */
class InferenceGateTest {

  /**
   * One permit; A, B and C queue for it in that order; its holder releases it and at once asks
   * again (what a busy request thread does). First come, first served: A, B, C, then the holder. An
   * unfair gate lets the holder barge ahead of all three, as it did to admitted requests under
   * overload.
   */
  @Test
  void waitersGetPermitsInArrivalOrderAndNobodyBargesAhead() throws Exception {
    InferenceGate gate = new InferenceGate(1);
    List<String> order = new CopyOnWriteArrayList<>();
    gate.enter();
    Thread[] waiters = new Thread[3];
    for (int i = 0; i < waiters.length; i++) {
      String name = String.valueOf((char) ('A' + i));
      waiters[i] =
          new Thread(
              () -> {
                gate.enter();
                order.add(name);
                gate.leave();
              });
      waiters[i].start();
      int queued = i + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> gate.waiting() == queued);
    }
    gate.leave();
    gate.enter();
    order.add("holder");
    gate.leave();
    for (Thread t : waiters) {
      t.join(10_000);
    }
    assertThat(order).containsExactly("A", "B", "C", "holder");
  }

  /**
   * Long calls that find the permit taken queue and run in arrival order on the gate's runner; each
   * caller gets its own call's result, or the exception its call threw.
   */
  @Test
  void longCallsThatFindNoPermitRunInArrivalOrderAndReturnTheirOwnOutcome() throws Exception {
    InferenceGate gate = new InferenceGate(1);
    ExecutorService callers = Executors.newCachedThreadPool();
    try {
      List<String> order = new CopyOnWriteArrayList<>();
      gate.enter(); // a holder keeps the only permit: every long call queues
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String name = String.valueOf((char) ('A' + i));
        results.add(
            queueLong(
                gate,
                callers,
                () -> {
                  order.add(name);
                  if (name.equals("C")) {
                    throw new IllegalArgumentException("C's call failed");
                  }
                  return name + " on " + Thread.currentThread().getName();
                }));
      }
      assertThat(order).as("nothing runs while the permit is held").isEmpty();
      gate.leave();
      assertThat(results.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("A on starling-gate-0");
      assertThat(results.get(1).get(10, TimeUnit.SECONDS)).isEqualTo("B on starling-gate-0");
      assertThatThrownBy(() -> results.get(2).get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasRootCauseMessage("C's call failed");
      assertThat(results.get(3).get(10, TimeUnit.SECONDS)).isEqualTo("D on starling-gate-0");
      assertThat(order).containsExactly("A", "B", "C", "D");
      // with the permit free and nothing queued, a long call runs at once on its caller's thread
      assertThat(gate.runLong(() -> Thread.currentThread().getName()))
          .isEqualTo(Thread.currentThread().getName());
    } finally {
      callers.shutdownNow();
      gate.close();
    }
  }

  /**
   * A batch leader waiting in line for a permit ({@link InferenceGate#tryEnter(long)}) gets the
   * next one, ahead of the long calls the runner has queued: a runner gives its permit up after
   * each call and asks again behind whoever waits. Without that, a long model kept busy would
   * starve every batched model of permits.
   */
  @Test
  void aWaitingBatchLeaderGetsThePermitBetweenQueuedLongCalls() throws Exception {
    InferenceGate gate = new InferenceGate(1);
    ExecutorService callers = Executors.newCachedThreadPool();
    try {
      List<String> order = new CopyOnWriteArrayList<>();
      CountDownLatch firstRunning = new CountDownLatch(1);
      CountDownLatch finishFirst = new CountDownLatch(1);
      gate.enter();
      List<Future<String>> calls = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        String name = "long" + i;
        Supplier<String> call =
            () -> {
              order.add(name);
              if (name.equals("long1")) {
                firstRunning.countDown();
                hold(finishFirst);
              }
              return name;
            };
        calls.add(queueLong(gate, callers, call));
      }
      gate.leave();
      assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Boolean> leader =
          CompletableFuture.supplyAsync(
              () -> {
                boolean entered = gate.tryEnter(TimeUnit.SECONDS.toNanos(10));
                if (entered) {
                  order.add("leader");
                  gate.leave();
                }
                return entered;
              },
              callers);
      await().atMost(Duration.ofSeconds(10)).until(() -> gate.waiting() == 1);
      finishFirst.countDown();
      assertThat(leader.get(10, TimeUnit.SECONDS)).isTrue();
      for (Future<String> c : calls) {
        c.get(10, TimeUnit.SECONDS);
      }
      assertThat(order).containsExactly("long1", "leader", "long2", "long3", "long4");
    } finally {
      callers.shutdownNow();
      gate.close();
    }
  }

  /** Calls still queued when the gate closes (shutdown) get a 503, not a caller left waiting. */
  @Test
  void closingTheGateAnswersQueuedCallsWithA503() throws Exception {
    InferenceGate gate = new InferenceGate(1);
    ExecutorService callers = Executors.newCachedThreadPool();
    try {
      gate.enter();
      Future<String> queued = queueLong(gate, callers, () -> "ran");
      gate.close();
      assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("shutting down")
          .extracting(e -> ((ApiException) e).status())
          .isEqualTo(503);
      assertThatThrownBy(() -> gate.runLong(() -> "late"))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("shutting down");
    } finally {
      callers.shutdownNow();
    }
  }

  /**
   * Submits {@code call} as a long call from a caller thread and returns once the gate has queued
   * it (the permits are all held), so calls queue in the order this is called.
   */
  private static <T> Future<T> queueLong(
      InferenceGate gate, ExecutorService callers, Supplier<T> call) {
    int before = gate.queuedLong();
    Future<T> result = callers.submit(() -> gate.runLong(call));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.queuedLong() == before + 1);
    return result;
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
