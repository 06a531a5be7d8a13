package dev.starling.runtime.router;

import dev.starling.runtime.http.ErrorResponses;
import dev.starling.runtime.router.backend.BackendAnswer;
import dev.starling.runtime.router.backend.BackendClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * The router's HTTP surface, as a plain non-blocking Jetty handler (no framework on the hot path):
 * {@code /v2/health/*}, {@code /metrics} and {@code /router/status} are answered here; every other
 * {@code /v2} and {@code /v1} request is proxied. The body is read asynchronously into one byte
 * array and the backend is called asynchronously ({@link BackendClient}), so no thread waits on a
 * backend.
 */
final class RouterHandler extends Handler.Abstract.NonBlocking implements ProxyContext {
  private final BackendClient client;
  private final RoutingState state;
  private final Mirror mirror;
  private final RouterMetrics metrics;
  private final AtomicInteger inflight = new AtomicInteger();
  private volatile boolean draining;

  RouterHandler(BackendClient client, RoutingState state, Mirror mirror, RouterMetrics metrics) {
    this.client = client;
    this.state = state;
    this.mirror = mirror;
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (path.startsWith("/v2/health/")) {
      health(path, response, callback);
    } else if (path.equals("/metrics")) {
      byte[] text = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      write(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", text);
    } else if (path.equals("/router/status")) {
      write(response, callback, 200, "application/json", RouterStatus.json(state.table()));
    } else if (path.equals("/v2") || path.startsWith("/v2/") || path.startsWith("/v1/")) {
      proxy(request, response, callback);
    } else {
      error(response, callback, 404, "no such endpoint");
    }
    return true;
  }

  private void health(String path, Response response, Callback callback) {
    switch (path) {
      case "/v2/health/live" -> write(response, callback, 200, "application/json", json("live"));
      case "/v2/health/ready" -> {
        boolean ready = !draining && state.table().serving();
        if (ready) {
          write(response, callback, 200, "application/json", json("ready"));
        } else {
          error(
              response,
              callback,
              503,
              draining
                  ? "the router is shutting down"
                  : "no version with weight has a ready endpoint");
        }
      }
      default -> error(response, callback, 404, "no such endpoint");
    }
  }

  private void proxy(Request request, Response response, Callback callback) {
    long t0 = System.nanoTime();
    RoutingTable table = state.table();
    long max = table.config().server().maxRequestBytes();
    long length = request.getLength();
    if (length > max) {
      error(response, callback, 413, "request body too large");
      return;
    }
    enter();
    if (length == 0) {
      route(request, response, callback, t0, table, null);
      return;
    }
    Content.Source.asByteArrayAsync(
        request,
        (int) max,
        Promise.Invocable.from(
            Invocable.InvocationType.NON_BLOCKING,
            (body, failure) -> {
              if (failure != null) {
                leave();
                error(response, callback, 413, "request body too large or unreadable");
              } else {
                route(request, response, callback, t0, table, body.length == 0 ? null : body);
              }
            }));
  }

  private void route(
      Request request,
      Response response,
      Callback callback,
      long t0,
      RoutingTable table,
      byte[] body) {
    HttpFields headers = request.getHeaders();
    String pinHeader = table.config().pinHeader();
    String pin = pinHeader == null ? null : headers.get(pinHeader);
    String sticky =
        table.config().sticky() == null ? null : headers.get(table.config().sticky().header());
    String query = request.getHttpURI().getQuery();
    String path = request.getHttpURI().getPath();
    ForwardedRequest req =
        new ForwardedRequest(
            request.getMethod(), query == null ? path : path + "?" + query, headers, body);
    ProxyExchange.route(this, table, pin, sticky, req, new HandlerReply(response, callback), t0);
  }

  /** The answer written through Jetty's response. */
  private record HandlerReply(Response response, Callback callback) implements ProxyExchange.Reply {
    @Override
    public void answer(BackendAnswer backend, HttpField servedBy, boolean close) {
      response.setStatus(backend.status());
      HttpFields.Mutable h = response.getHeaders();
      backend.forEachField(h::add);
      h.put(servedBy);
      send(backend.body(), close);
    }

    @Override
    public void error(int status, String routedTo, byte[] body, boolean close) {
      response.setStatus(status);
      HttpFields.Mutable h = response.getHeaders();
      h.put(HttpHeader.CONTENT_TYPE, "application/json");
      if (routedTo != null) {
        h.put(ProxyExchange.ROUTED_TO, routedTo);
      }
      send(body, close);
    }

    private void send(byte[] body, boolean close) {
      HttpFields.Mutable h = response.getHeaders();
      h.put(HttpHeader.CONTENT_LENGTH, body.length);
      if (close) {
        h.put(HttpHeader.CONNECTION, "close");
      }
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }

  private static byte[] json(String field) {
    return ("{\"" + field + "\":true}").getBytes(StandardCharsets.UTF_8);
  }

  static void error(Response response, Callback callback, int status, String message) {
    write(response, callback, status, "application/json", ErrorResponses.body(message));
  }

  static void write(
      Response response, Callback callback, int status, String contentType, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  int inflight() {
    return inflight.get();
  }

  void beginDrain() {
    draining = true;
  }

  @Override
  public BackendClient client() {
    return client;
  }

  @Override
  public RoutingState state() {
    return state;
  }

  @Override
  public Mirror mirror() {
    return mirror;
  }

  @Override
  public RouterMetrics metrics() {
    return metrics;
  }

  @Override
  public boolean draining() {
    return draining;
  }

  @Override
  public void enter() {
    inflight.incrementAndGet();
  }

  @Override
  public void leave() {
    inflight.decrementAndGet();
  }
}
