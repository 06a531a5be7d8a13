package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
}
