package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.BackendAnswer;
import dev.starling.runtime.router.backend.BackendClient;
import dev.starling.runtime.router.backend.BackendExchange;
import dev.starling.runtime.router.backend.FailureKind;
import dev.starling.runtime.router.config.HealthConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Polls {@code GET /v2/health/ready} on every endpoint each {@code health.interval}: a 200 makes
 * the endpoint ready; another status or a refused connection makes it not ready at once; {@code
 * health.failureThreshold} checks in a row that time out or break do too (and, when they timed out,
 * also in connecting, leave it a panic candidate, see {@link RoutingState}). A connect that timed
 * out is not a refusal: on a starved machine the router's own selector may not have run in time
 * (RouterDiscoveryIT saw one check's connect time out at 300 ms and, counted as a refusal, take the
 * only ready address out for a health interval). The request path adds the other signal, marking an
 * endpoint down the moment a connection to it is refused or breaks.
 *
 * <p>Every check opens a new connection ({@code Connection: close}). An endpoint may be a ClusterIP
 * Service (a name endpoint is one pod address each, but an IP endpoint or a name with a ClusterIP
 * is not), and kube-proxy pins a connection to the pod it first chose: a kept-alive check
 * connection would go on asking a pod that has left the Service and is draining (readiness 503
 * after SIGTERM) and mark the whole Service not ready while its other pods serve. On the real node
 * this answered 22 requests of a rolling update with the router's 503 (hack/node-e2e).
 */
final class HealthChecker implements AutoCloseable {
  static final String PATH = "/v2/health/ready";

  private final BackendClient client;
  private final RoutingState state;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "router-health");
            t.setDaemon(true);
            return t;
          });

  /**
   * Checks run on their own connections (a client of their own): their short timeout then never
   * changes the timers of the connections that carry traffic.
   */
  HealthChecker(Executor executor, RoutingState state) {
    HealthConfig h = state.table().config().health();
    this.client = new BackendClient(executor, h.timeout(), Duration.ofSeconds(10), 4);
    this.state = state;
  }

  void start() throws Exception {
    client.start();
    scheduleNext(0);
  }

  private void scheduleNext(long delayMillis) {
    if (!timer.isShutdown()) {
      timer.schedule(this::round, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void round() {
    try {
      state.endpoints().forEach(this::check);
    } finally {
      scheduleNext(state.table().config().health().interval().toMillis());
    }
  }

  /** Checks one endpoint now (also used for endpoints a reload just added). */
  void check(Endpoint e) {
    HealthConfig h = state.table().config().health();
    ByteBuffer head =
        ByteBuffer.wrap(
            ("GET "
                    + e.basePath()
                    + PATH
                    + " HTTP/1.1\r\nHost: "
                    + e.hostField().getValue()
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    client.send(
        e.host(),
        e.port(),
        new BackendExchange(
            head,
            null,
            false,
            h.timeout().toMillis(),
            64 * 1024,
            new BackendExchange.Listener() {
              @Override
              public void onAnswer(BackendAnswer answer) {
                int status = answer.status();
                if (status == 200) {
                  e.failedChecks().set(0);
                  state.setReady(e, true, null);
                } else {
                  state.setReady(e, false, PATH + " answered " + status);
                }
              }

              @Override
              public void onFailure(FailureKind kind, Throwable cause) {
                if (kind == FailureKind.NOT_SENT) {
                  state.setReady(e, false, Failures.describe(cause));
                } else if (e.failedChecks().incrementAndGet() >= h.failureThreshold()) {
                  String why =
                      e.failedChecks().get()
                          + " health checks in a row failed, the last with "
                          + Failures.describe(cause);
                  if (kind == FailureKind.TIMEOUT || kind == FailureKind.CONNECT_TIMEOUT) {
                    state.timedOut(e, why); // a panic candidate if it was ready until now
                  } else {
                    state.setReady(e, false, why);
                  }
                }
              }
            }));
  }

  /** Drops what the checker keeps for an endpoint that is gone. */
  void forget(Endpoint e) {
    client.forget(e.host(), e.port());
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      client.close();
    } catch (Exception e) {
      // stopping anyway
    }
  }
}
