package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.runtime.router.config.RouterConfigLoader;
import dev.starling.runtime.router.config.RouterConfigValidator;
import java.time.Duration;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/** The health checker against a real loopback socket: how check failures take endpoints out. */
class HealthCheckerTest {
  @Test
  void checksWhoseConnectTimesOutCountAsTimeoutsNotAsARefusal() throws Exception {
    QueuedThreadPool pool = new QueuedThreadPool(8, 2);
    pool.start();
    try (Blackhole hole = new Blackhole()) {
      RoutingState state =
          new RoutingState(
              RouterConfigValidator.validate(
                  RouterConfigLoader.parse(
                      """
                      health: {interval: 300ms, timeout: 200ms, failureThreshold: 3}
                      versions:
                        - {name: v1, weight: 100, endpoints: ['http://127.0.0.1:%d']}
                      """
                          .formatted(hole.port()),
                      "test")),
              t -> {});
      Endpoint e = state.endpoints().iterator().next();
      state.setReady(e, true, "test");
      try (HealthChecker checker = new HealthChecker(pool, state)) {
        checker.start();
        // checks at 0, 300, 600 ms, each connect timing out 200 ms later: a refusal would take it
        // out at the first, a timeout only after failureThreshold of them in a row, and as a
        // panic candidate
        Thread.sleep(400);
        assertThat(e.ready()).as("still ready after one timed-out connect").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !e.ready());
        assertThat(e.timedOut()).isTrue();
        assertThat(state.table().panic()).isTrue();
        assertThat(state.table().serving()).isTrue();
      }
    } finally {
      pool.stop();
    }
  }
}
