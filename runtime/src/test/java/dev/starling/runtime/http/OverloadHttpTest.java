package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonFactory;
import dev.starling.runtime.config.InferenceConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.http.FastPathHttpTest.Reply;
import dev.starling.runtime.pipeline.InferenceGate;
import dev.starling.runtime.pipeline.InferenceListener;
import dev.starling.runtime.pipeline.Predictor;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Overload shedding over real sockets, with {@code inference.maxInflight: 1}: a request that finds
 * the model at its bound is answered 503 with {@code Retry-After} before its body is read (one
 * whose body arrives when the model is full, after it), its connection carries the client's next
 * request (a shed request must not cost a new connection), and the admitted requests are answered
 * as if nothing else were going on.
 */
class OverloadHttpTest {
  private static final String IRIS = "/v2/models/iris/infer";
  private static TestingServer server;
  private static String irisBody;
  private static String irisAnswer;

  @BeforeAll
  static void start() {
    // No minimum upload rate: the admitted request below waits with half its body sent for as long
    // as the test takes, which is the point, not a slow client to cut off.
    ServerConfig noMinRate = new ServerConfig(null, null, null, null, null, null, null, 0L, null);
    RuntimeConfig base =
        new RuntimeConfig(noMinRate, null, null, null, null)
            .withInference(new InferenceConfig(null, null, 1));
    server = TestingServer.samples(base);
    irisBody = Samples.file("iris.request.json");
    irisAnswer = server.post(IRIS, irisBody).body();
    assertThat(irisAnswer).contains("\"model_name\":\"iris\"");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /**
   * The bound counts requests being decoded, queued or run, not uploads: A and C are admitted at
   * their headers and send half their bodies, holding no place (the gauge stays 0). With the model
   * then full (the bound live-reloaded to 0), B is shed at its headers, the 503 before the rest of
   * its body, and C, whose body arrives while the model is full, is shed after its body. Both
   * connections stay open. With the bound back at 1, A's body arrives and A is served, and B's next
   * request on the same socket is served.
   */
  @Test
  void aShedRequestIsAnswered503BeforeItsBodyAndItsConnectionCarriesTheNextRequest()
      throws Exception {
    byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    AtomicInteger inflight = server.models().get("iris").meters().inflight();
    try (Socket a = socket();
        Socket b = socket();
        Socket c = socket()) {
      send(a, head(IRIS, body.length), body, 0, half);
      send(c, head(IRIS, body.length), body, 0, half);
      await().atMost(Duration.ofSeconds(20)).until(() -> server.lifecycle().inflight() == 2);
      bound(0);
      send(b, head(IRIS, body.length), body, 0, half);
      Reply shed = Reply.read(b.getInputStream());
      assertThat(shed.status()).isEqualTo(503);
      assertThat(shed.headers()).containsEntry("retry-after", "1").doesNotContainKey("connection");
      assertThat(shed.body()).contains("model 'iris' is overloaded (0 requests in flight)");
      send(b, "", body, half, body.length - half);

      send(c, "", body, half, body.length - half);
      Reply shedAfterBody = Reply.read(c.getInputStream());
      assertThat(shedAfterBody.status()).isEqualTo(503);
      assertThat(shedAfterBody.headers()).doesNotContainKey("connection");
      assertThat(inflight.get()).as("uploads hold no in-flight place").isZero();

      bound(1);
      send(a, "", body, half, body.length - half);
      Reply admitted = Reply.read(a.getInputStream());
      assertThat(admitted.status()).isEqualTo(200);
      assertThat(admitted.body()).isEqualTo(irisAnswer);

      send(b, head(IRIS, body.length), body, 0, body.length);
      Reply next = Reply.read(b.getInputStream());
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.body()).isEqualTo(irisAnswer);
    } finally {
      bound(1);
    }
  }

  /**
   * Stalled uploads cannot get everyone shed: with the bound at 1, three clients send their headers
   * and half their bodies and stop; a well-behaved request for the same model is still served (it
   * was shed while an upload held the one place until the idle timeout), the gauge is back at 0
   * with the uploads still open, and each upload is served once its body arrives.
   */
  @Test
  void stalledUploadsDoNotTakeTheModelsPlaces() throws Exception {
    byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    AtomicInteger inflight = server.models().get("iris").meters().inflight();
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = socket();
        stalled.add(s);
        send(s, head(IRIS, body.length), body, 0, half);
      }
      // all three admitted (counted for draining), their bodies due; none shed by the others
      await()
          .alias("three stalled uploads admitted, none shed at its headers")
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.lifecycle().inflight() == 3);
      var good = server.post(IRIS, irisBody);
      assertThat(good.statusCode()).isEqualTo(200);
      assertThat(good.body()).isEqualTo(irisAnswer);
      assertThat(inflight.get()).isZero();
      for (Socket s : stalled) {
        send(s, "", body, half, body.length - half);
        Reply r = Reply.read(s.getInputStream());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(irisAnswer);
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  /**
   * The same on a spelling the fast path leaves to Javalin (a trailing slash), whose route reads
   * the body with a blocking stream: the stalled upload holds a server thread while it waits, but
   * not the model's one place, so a well-behaved request is served meanwhile (it was shed while the
   * route read the body inside the in-flight place), and the upload is served once its body
   * arrives.
   */
  @Test
  void aStalledUploadOnJavalinsSpellingDoesNotTakeTheModelsPlace() throws Exception {
    byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    AtomicInteger inflight = server.models().get("iris").meters().inflight();
    try (Socket s = socket()) {
      send(s, head(IRIS + "/", body.length), body, 0, half);
      await()
          .alias("the stalled upload admitted")
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.lifecycle().inflight() == 1);
      var good = server.post(IRIS, irisBody);
      assertThat(good.statusCode()).isEqualTo(200);
      assertThat(good.body()).isEqualTo(irisAnswer);
      assertThat(inflight.get()).as("the upload holds no in-flight place").isZero();
      send(s, "", body, half, body.length - half);
      Reply r = Reply.read(s.getInputStream());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(irisAnswer);
    }
  }

  /** Live-reloads {@code inference.maxInflight}, as a changed runtime.yaml does. */
  private static void bound(int maxInflight) {
    server
        .live()
        .apply(server.live().get().withInference(new InferenceConfig(null, null, maxInflight)));
  }

  /**
   * Eight clients, each on one keep-alive connection, send 25 requests each with their bodies in
   * two parts (as HTTP clients with a small write buffer do): every request is answered on its
   * connection, each answer is either the model's own or a 503 with {@code Retry-After}, and some
   * of each happen. A 503 needs two iris requests decoding or running at the same instant, which a
   * fast quiet machine makes rare, so the burst repeats (up to {@link #MAX_BURSTS} times) until one
   * was shed; every answer of every burst is checked.
   */
  @Test
  void underOverloadEveryRequestIsServedOrShedOnItsOwnConnection() throws Exception {
    long okBefore = timed("ok");
    long shedBefore = timed("shed");
    Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
    int bursts = 0;
    do {
      burst(byStatus, wrong);
      bursts++;
    } while (!byStatus.containsKey(503) && bursts < MAX_BURSTS);
    assertThat(wrong).isEmpty();
    assertThat(byStatus.keySet()).as("after %d bursts", bursts).containsExactlyInAnyOrder(200, 503);
    assertThat(byStatus.get(200).get() + byStatus.get(503).get()).isEqualTo(200 * bursts);
    // the request timer tells served from shed answers, one each
    assertThat(timed("ok") - okBefore).isEqualTo(byStatus.get(200).get());
    assertThat(timed("shed") - shedBefore).isEqualTo(byStatus.get(503).get());
  }

  private static final int MAX_BURSTS = 20;

  /** 8 clients x 25 requests, bodies in two parts; answers counted by status, wrong ones kept. */
  private static void burst(Map<Integer, AtomicInteger> byStatus, List<String> wrong)
      throws Exception {
    byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        clients.add(
            pool.submit(
                () -> {
                  try (Socket s = socket()) {
                    for (int i = 0; i < 25; i++) {
                      send(s, head(IRIS, body.length), body, 0, half);
                      Thread.sleep(2);
                      send(s, "", body, half, body.length - half);
                      Reply r = Reply.read(s.getInputStream());
                      byStatus
                          .computeIfAbsent(r.status(), k -> new AtomicInteger())
                          .incrementAndGet();
                      boolean ok =
                          r.status() == 200
                              ? r.body().equals(irisAnswer)
                              : r.status() == 503
                                  && "1".equals(r.headers().get("retry-after"))
                                  && !r.headers().containsKey("connection");
                      if (!ok) {
                        wrong.add(r.toString());
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : clients) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * How many iris requests {@code starling_request_duration_seconds} timed with {@code outcome}.
   */
  private static long timed(String outcome) {
    Timer t =
        server
            .metrics()
            .registry()
            .find("starling.request.duration")
            .tags("model", "iris", "protocol", "v2", "outcome", outcome)
            .timer();
    return t == null ? 0 : t.count();
  }

  /**
   * With the bound at 0 every request is shed: each gets the same 503 (status, {@code Retry-After},
   * the bound in its message), a changed bound is in the next answer, and shedding allocates little
   * on the request's thread: the answer is built once per model and bound, not per request (built
   * each time, the message, the exception and a JSON generator came to ~700 bytes a request).
   */
  @Test
  void aShedAnswerIsBuiltOncePerBoundAndAllocatesLittle() {
    AtomicInteger bound = new AtomicInteger(0);
    InferenceService service =
        new InferenceService(
            server.models(),
            new Predictor(new JsonFactory(), 1_000_000, new InferenceGate(1)),
            new Lifecycle(),
            1 << 20,
            bound::get,
            InferenceListener.NONE);
    RequestBody body = requestBody(irisBody.getBytes(StandardCharsets.UTF_8));
    Answer first = service.inferV2("iris", null, body, IRIS);
    assertThat(first.status()).isEqualTo(503);
    assertThat(first.retryAfterSeconds()).isEqualTo(1);
    assertThat(first.close()).isFalse();
    assertThat(new String(first.body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"error\":\"model 'iris' is overloaded (0 requests in flight); retry\"}");

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int calls = 20_000;
    for (int i = 0; i < calls; i++) { // warm-up: JIT, meters created
      service.inferV2("iris", null, body, IRIS);
    }
    int shed = 0;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < calls; i++) {
      if (service.inferV2("iris", null, body, IRIS).status() == 503) {
        shed++;
      }
    }
    long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / calls;
    assertThat(shed).isEqualTo(calls);
    assertThat(perCall).as("bytes allocated per shed request").isLessThan(200);

    bound.set(-1);
    assertThat(new String(service.inferV2("iris", null, body, IRIS).body(), StandardCharsets.UTF_8))
        .contains("overloaded (-1 requests in flight)");
  }

  private static RequestBody requestBody(byte[] bytes) {
    return new RequestBody() {
      @Override
      public String contentType() {
        return "application/json";
      }

      @Override
      public long contentLength() {
        return bytes.length;
      }

      @Override
      public InputStream stream() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  /** The listen backlog is raised above the JDK's 50, so a burst of connects is not dropped. */
  @Test
  void theConnectorQueuesABurstOfNewConnections() {
    Connector[] connectors = server.jettyHandler().getServer().getConnectors();
    assertThat(connectors).isNotEmpty();
    for (Connector c : connectors) {
      assertThat(((ServerConnector) c).getAcceptQueueSize()).isEqualTo(StarlingApp.ACCEPT_QUEUE);
    }
  }

  private static Socket socket() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(20_000);
    s.setTcpNoDelay(true);
    return s;
  }

  private static String head(String path, int length) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  private static void send(Socket s, String head, byte[] body, int from, int length)
      throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body, from, length);
    out.flush();
  }
}
