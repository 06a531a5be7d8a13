package dev.starling.runtime.router;

import dev.starling.runtime.http.ErrorResponses;
import dev.starling.runtime.router.backend.BackendAnswer;
import dev.starling.runtime.router.backend.BackendExchange;
import dev.starling.runtime.router.backend.FailureKind;
import dev.starling.runtime.router.config.ProxyConfig;
import org.eclipse.jetty.http.HttpField;

/**
 * One proxied request: sent to an endpoint of the chosen version, answered with the backend's
 * status, headers and body plus {@code x-starling-served-by}. A request that could not be sent
 * (connection refused) goes once more, to another ready endpoint of the same version, or, when the
 * version has none left and the request is not pinned, to the version the split picks now. Once a
 * request may have reached a backend it is never sent again: a broken connection is a 502, a
 * backend slower than {@code proxy.requestTimeout} a 504. The answer goes out through a {@link
 * Reply}: Jetty's response on the handler path, the connection itself on the lean path.
 */
final class ProxyExchange implements BackendExchange.Listener {
  static final String ROUTED_TO = "x-starling-routed-to";

  /** Where the answer to the caller is written; exactly one call per request. */
  interface Reply {
    /** The backend's answer, its head without hop-by-hop lines, plus {@code servedBy}. */
    void answer(BackendAnswer backend, HttpField servedBy, boolean close);

    /** An answer of the router's own: a JSON error, {@code routedTo} null if no version. */
    void error(int status, String routedTo, byte[] body, boolean close);
  }

  private final ProxyContext ctx;
  private final Reply reply;
  private final Forwardable req;
  private final long t0;
  private final boolean pinned;
  private final String stickyKey;
  private VersionRoute version;
  private Endpoint endpoint;
  private boolean retried;
  private Mirror.Copy copy;

  private ProxyExchange(
      ProxyContext ctx,
      Reply reply,
      Forwardable req,
      long t0,
      VersionRoute version,
      boolean pinned,
      String stickyKey) {
    this.ctx = ctx;
    this.reply = reply;
    this.req = req;
    this.t0 = t0;
    this.version = version;
    this.pinned = pinned;
    this.stickyKey = stickyKey;
  }

  /**
   * Picks the version for a request (the {@code pin} header's value, else the {@code sticky}
   * header's, else the weighted split; either may be null) and sends it, or answers 404 for an
   * unknown pinned version and 503 when no version can serve. The caller has called {@link
   * ProxyContext#enter()}.
   */
  static void route(
      ProxyContext ctx,
      RoutingTable table,
      String pin,
      String sticky,
      Forwardable req,
      Reply reply,
      long t0) {
    VersionRoute version;
    String stickyKey = null;
    if (pin != null) {
      version = table.named(pin);
      if (version == null) {
        ctx.leave();
        ctx.metrics().request("none", 404, System.nanoTime() - t0);
        String header = table.config().pinHeader();
        reply.error(404, null, body("unknown version '" + clip(pin) + "' in " + header), false);
        return;
      }
    } else {
      stickyKey = sticky == null || sticky.isEmpty() ? null : sticky;
      version =
          stickyKey != null ? table.sticky(stickyKey) : table.weighted(ctx.state().nextSequence());
      if (version == null) {
        ctx.leave();
        ctx.metrics().backendError("none", "no_ready_version");
        ctx.metrics().request("none", 503, System.nanoTime() - t0);
        reply.error(503, null, body("no version with weight has a ready endpoint"), false);
        return;
      }
    }
    new ProxyExchange(ctx, reply, req, t0, version, pin != null, stickyKey).start(table);
  }

  private void start(RoutingTable table) {
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

  /** The backend answered (any status): pass it on as it is, body untouched. */
  @Override
  public void onAnswer(BackendAnswer answer) {
    done(answer.status());
    reply.answer(answer, version.servedBy(), ctx.draining());
    if (copy != null) {
      ctx.mirror().finish(copy, answer.status(), answer.body());
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
    if (kind.notSent() && !retried && reroute()) {
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
          case CONNECT_TIMEOUT -> v + "could not be reached in time (" + what + ")";
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

  private void error(int status, String message) {
    done(status);
    reply.error(status, version.name(), body(message), ctx.draining());
  }

  /** Counted and out of the in-flight count before the answer is written. */
  private void done(int status) {
    ctx.metrics().request(version.name(), status, System.nanoTime() - t0);
    ctx.leave();
  }

  private static byte[] body(String message) {
    return ErrorResponses.body(message);
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
