package dev.starling.runtime.router;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;

/**
 * Polls {@code GET /v2/health/ready} on every endpoint each {@code health.interval}: a 200 makes
 * the endpoint ready, anything else (another status, a refused connection, no answer within {@code
 * health.timeout}) makes it not ready. One result decides; the request path adds the other signal,
 * marking an endpoint down the moment a connection to it is refused.
 */
final class HealthChecker implements AutoCloseable {
  static final String PATH = "/v2/health/ready";

  private final HttpClient client;
  private final RoutingState state;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "router-health");
            t.setDaemon(true);
            return t;
          });

  HealthChecker(HttpClient client, RoutingState state) {
    this.client = client;
    this.state = state;
  }

  void start() {
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
    long timeout = state.table().config().health().timeout().toMillis();
    try {
      client
          .newRequest(e.host(), e.port())
          .scheme(e.scheme())
          .path(e.basePath() + PATH)
          .timeout(timeout, TimeUnit.MILLISECONDS)
          .send(
              (Result r) -> {
                if (r.isSucceeded() && r.getResponse().getStatus() == 200) {
                  state.setReady(e, true, null);
                } else {
                  state.setReady(
                      e,
                      false,
                      r.isFailed()
                          ? Failures.describe(r.getFailure())
                          : PATH + " answered " + r.getResponse().getStatus());
                }
              });
    } catch (RuntimeException ex) {
      state.setReady(e, false, ex.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
