package dev.starling.runtime.router;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in backend on loopback for what a real runtime cannot be made to do on cue: stay not
 * ready while answering inferences, answer slowly, or answer with errors. It counts the inference
 * requests it gets and the most it had at once. Everything else in the router tests is the real
 * runtime jar.
 */
final class TestingBackend implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AtomicInteger inferences = new AtomicInteger();
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();
  private volatile boolean ready;
  private volatile Duration delay = Duration.ZERO;
  private volatile int status = 200;
  private volatile String body;
  private volatile Duration healthDelay = Duration.ZERO;
  private volatile String lastHost;

  private TestingBackend(String version, InetAddress address, int port) {
    this.body =
        "{\"model_name\":\"m\",\"model_version\":\""
            + version
            + "\",\"outputs\":[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[1],"
            + "\"data\":[0]}]}";
    try {
      server = HttpServer.create(new InetSocketAddress(address, port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(pool);
    server.createContext(
        "/v2/health/ready",
        ex -> {
          // no keep-alive for health checks: closing the stand-in then refuses every connection
          ex.getResponseHeaders().set("Connection", "close");
          try {
            Thread.sleep(healthDelay.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(ex, ready ? 200 : 503, "{}");
        });
    server.createContext("/", this::infer);
    server.start();
  }

  static TestingBackend start(String version) {
    return new TestingBackend(version, InetAddress.getLoopbackAddress(), 0);
  }

  /** A stand-in listening on {@code address:port} (port 0: a free one). */
  static TestingBackend start(String version, InetAddress address, int port) {
    return new TestingBackend(version, address, port);
  }

  /** Health checks answer only after this long (a starved node: checks time out). */
  TestingBackend healthDelay(Duration value) {
    this.healthDelay = value;
    return this;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The Host header of the last inference request. */
  String lastHost() {
    return lastHost;
  }

  TestingBackend ready(boolean value) {
    this.ready = value;
    return this;
  }

  TestingBackend delay(Duration value) {
    this.delay = value;
    return this;
  }

  TestingBackend answer(int newStatus, String newBody) {
    this.status = newStatus;
    this.body = newBody;
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int inferences() {
    return inferences.get();
  }

  int maxConcurrent() {
    return maxConcurrent.get();
  }

  private void infer(HttpExchange ex) throws IOException {
    inferences.incrementAndGet();
    lastHost = ex.getRequestHeaders().getFirst("Host");
    maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
    try {
      ex.getRequestBody().readAllBytes();
      Thread.sleep(delay.toMillis());
      answer(ex, status, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      concurrent.decrementAndGet();
    }
  }

  private static void answer(HttpExchange ex, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
