package dev.starling.runtime.router;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;

/**
 * Polls {@code GET /v2/health/ready} on every endpoint each {@code health.interval}: a 200 makes
 * the endpoint ready; another status or a refused connection makes it not ready at once; {@code
 * health.failureThreshold} checks in a row that time out or break do too. The request path adds the
 * other signal, marking an endpoint down the moment a connection to it is refused or breaks.
 */
final class HealthChecker implements AutoCloseable {
  static final String PATH = "/v2/health/ready";
  private static final String ENDPOINT = Endpoint.class.getName();

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
          .attribute(ENDPOINT, e)
          .send(this::record);
    } catch (RuntimeException ex) {
      state.setReady(e, false, ex.toString());
    }
  }

  private void record(Result r) {
    Endpoint e = endpointOf(r);
    if (e == null) {
      return;
    }
    if (r.isSucceeded() && r.getResponse().getStatus() == 200) {
      e.failedChecks().set(0);
      state.setReady(e, true, null);
    } else if (r.isSucceeded()) {
      state.setReady(e, false, PATH + " answered " + r.getResponse().getStatus());
    } else if (Failures.classify(r.getFailure()) == Failures.Kind.NOT_SENT) {
      state.setReady(e, false, Failures.describe(r.getFailure()));
    } else if (e.failedChecks().incrementAndGet()
        >= state.table().config().health().failureThreshold()) {
      state.setReady(
          e,
          false,
          e.failedChecks().get()
              + " health checks in a row failed, the last with "
              + Failures.describe(r.getFailure()));
    }
  }

  private Endpoint endpointOf(Result r) {
    Object e = r.getRequest().getAttributes().get(ENDPOINT);
    return e instanceof Endpoint endpoint ? endpoint : null;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
