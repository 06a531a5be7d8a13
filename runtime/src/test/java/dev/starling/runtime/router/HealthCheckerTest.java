package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.runtime.router.config.RouterConfigLoader;
import dev.starling.runtime.router.config.RouterConfigValidator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/** The health checker against a real loopback socket: how check failures take endpoints out. */
class HealthCheckerTest {
  /**
   * A listening socket whose accept queue is full (it never accepts): Linux then drops new SYNs, so
   * a connect to it neither succeeds nor is refused, it times out, as on a starved machine.
   */
  private static final class Blackhole implements AutoCloseable {
    final ServerSocket server;
    final List<Socket> queued = new ArrayList<>();

    Blackhole() throws Exception {
      server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      for (int i = 0; i < 16; i++) {
        Socket s = new Socket();
        try {
          s.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 300);
          queued.add(s);
        } catch (SocketTimeoutException full) {
          s.close();
          return;
        }
      }
      throw new IllegalStateException("the accept queue never filled");
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      for (Socket s : queued) {
        s.close();
      }
      server.close();
    }
  }

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
