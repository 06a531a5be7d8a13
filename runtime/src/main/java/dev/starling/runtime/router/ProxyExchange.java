package dev.starling.runtime.router;

import dev.starling.runtime.http.ErrorResponses;
import dev.starling.runtime.router.backend.BackendExchange;
import dev.starling.runtime.router.backend.FailureKind;
import dev.starling.runtime.router.config.ProxyConfig;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One proxied request: sent to an endpoint of the chosen version, answered with the backend's
 * status, headers and body plus {@code x-starling-served-by}. A request that could not be sent
 * (connection refused) goes once more, to another ready endpoint of the same version, or, when the
 * version has none left and the request is not pinned, to the version the split picks now. Once a
 * request may have reached a backend it is never sent again: a broken connection is a 502, a
 * backend slower than {@code proxy.requestTimeout} a 504.
 */
final class ProxyExchange implements BackendExchange.Listener {
  static final String SERVED_BY = "x-starling-served-by";
  static final String ROUTED_TO = "x-starling-routed-to";

  private final ProxyContext ctx;
  private final Response response;
  private final Callback callback;
  private final ForwardedRequest req;
  private final long t0;
  private final boolean pinned;
  private final String stickyKey;
  private VersionRoute version;
  private Endpoint endpoint;
  private boolean retried;
  private Mirror.Copy copy;

  ProxyExchange(
      ProxyContext ctx,
      Response response,
      Callback callback,
      ForwardedRequest req,
      long t0,
      VersionRoute version,
      boolean pinned,
      String stickyKey) {
    this.ctx = ctx;
    this.response = response;
    this.callback = callback;
    this.req = req;
    this.t0 = t0;
    this.version = version;
    this.pinned = pinned;
    this.stickyKey = stickyKey;
  }

  void start(RoutingTable table) {
    endpoint = version.next();
    if (endpoint == null) {
      ctx.metrics().backendError(version.name(), "no_ready_endpoint");
      error(503, "version '" + version.name() + "' has no ready endpoint");
      return;
    }
    // the copy is under way before the live request is: the live answer may come back (on another
    // thread) before send() returns, and must find the copy to compare with
    copy = ctx.mirror().start(table, version, req);
    send(table);
  }

  private void send(RoutingTable table) {
    ProxyConfig p = table.config().proxy();
    ctx.client()
        .send(
            endpoint.host(),
            endpoint.port(),
            req.to(endpoint, null, p.requestTimeout().toMillis(), p.maxResponseBytes(), this));
  }

  /** The backend answered (any status): pass it on as it is, bytes untouched. */
  @Override
  public void onAnswer(int status, HttpFields headers, byte[] body) {
    respond(status, headers, body);
    if (copy != null) {
      ctx.mirror().finish(copy, status, body);
    }
  }

  @Override
  public void onFailure(FailureKind kind, Throwable failure) {
    String cause = Failures.describe(failure);
    String what = endpoint + ": " + cause;
    if (kind == FailureKind.NOT_SENT || kind == FailureKind.BROKEN) {
      // refused, or the connection broke (the process died?): no new request goes there until a
      // health check passes again, at most health.interval from now if it is fine after all
      ctx.state().setReady(endpoint, false, cause);
    }
    if (kind == FailureKind.NOT_SENT && !retried && reroute()) {
      retried = true;
      ctx.metrics().retry(version.name());
      send(ctx.state().table());
      return;
    }
    ctx.metrics().backendError(version.name(), kind.reason());
    String v = "version '" + version.name() + "' ";
    error(
        kind.status(),
        switch (kind) {
          case NOT_SENT -> v + "has no ready endpoint (" + what + ")";
          case BUSY -> v + "is busy: proxy.maxConnectionsPerEndpoint in use at " + endpoint;
          case TIMEOUT -> v + "did not answer in time (" + endpoint + ")";
          case TOO_LARGE -> v + "answered with more than proxy.maxResponseBytes";
          case BROKEN -> v + "failed while answering (" + what + ")";
        });
  }

  /** Picks where the one retry goes; false if nowhere. */
  private boolean reroute() {
    RoutingTable now = ctx.state().table();
    VersionRoute same = now.named(version.name());
    Endpoint other = same == null ? null : same.nextOtherThan(endpoint);
    if (other == null && !pinned) {
      VersionRoute next =
          stickyKey != null ? now.sticky(stickyKey) : now.weighted(ctx.state().nextSequence());
      if (next != null && next.hasReadyEndpoint()) {
        version = next;
        other = next.next();
      }
    }
    if (other == null) {
      return false;
    }
    endpoint = other;
    return true;
  }

  private void respond(int status, HttpFields backend, byte[] body) {
    response.setStatus(status);
    HttpFields.Mutable h = response.getHeaders();
    for (HttpField f : backend) {
      if (!ForwardedRequest.hopByHop(f.getHeader())) {
        h.add(f);
      }
    }
    h.put(version.servedBy());
    finish(status, body);
  }

  private void error(int status, String message) {
    response.setStatus(status);
    HttpFields.Mutable h = response.getHeaders();
    h.put(HttpHeader.CONTENT_TYPE, "application/json");
    h.put(ROUTED_TO, version.name());
    finish(status, ErrorResponses.body(message));
  }

  private void finish(int status, byte[] body) {
    HttpFields.Mutable h = response.getHeaders();
    h.put(HttpHeader.CONTENT_LENGTH, body.length);
    if (ctx.draining()) {
      h.put(HttpHeader.CONNECTION, "close");
    }
    ctx.metrics().request(version.name(), status, System.nanoTime() - t0);
    ctx.leave();
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
