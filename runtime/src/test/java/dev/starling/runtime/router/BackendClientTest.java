package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.router.ScriptedBackend.Reply;
import dev.starling.runtime.router.backend.BackendAnswer;
import dev.starling.runtime.router.backend.BackendClient;
import dev.starling.runtime.router.backend.BackendExchange;
import dev.starling.runtime.router.backend.FailureKind;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router's backend client against a scripted loopback server: framings, reuse, failures. */
class BackendClientTest {
  private static final String BODY = "{\"outputs\":[]}";

  private QueuedThreadPool threads;
  private BackendClient client;
  private final List<BackendAnswer> answers = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What one exchange ended with. */
  record Outcome(int status, String body, FailureKind failure) {}

  @BeforeEach
  void start() throws Exception {
    threads = new QueuedThreadPool(12, 4);
    threads.start();
    client = new BackendClient(threads, Duration.ofSeconds(2), Duration.ofSeconds(15), 64);
    client.start();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    threads.stop();
  }

  private Outcome exchange(int port, long timeoutMillis, int maxBytes) throws Exception {
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    byte[] body = "{\"inputs\":[]}".getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v2/models/m/infer HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    client.send(
        "127.0.0.1",
        port,
        new BackendExchange(
            ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)),
            body,
            false,
            timeoutMillis,
            maxBytes,
            new BackendExchange.Listener() {
              @Override
              public void onAnswer(BackendAnswer a) {
                answers.add(a);
                done.complete(
                    new Outcome(a.status(), new String(a.body(), StandardCharsets.UTF_8), null));
              }

              @Override
              public void onFailure(FailureKind kind, Throwable cause) {
                done.complete(new Outcome(-1, cause.toString(), kind));
              }
            }));
    return done.get(20, TimeUnit.SECONDS);
  }

  private Outcome exchange(int port) throws Exception {
    return exchange(port, 5_000, 1 << 20);
  }

  @Test
  void sequentialExchangesReuseOneConnection() throws Exception {
    try (ScriptedBackend b =
        new ScriptedBackend((h, body, n) -> Reply.keepAlive(ScriptedBackend.ok(BODY)))) {
      for (int i = 0; i < 20; i++) {
        assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      }
      assertThat(b.connections()).isEqualTo(1);
    }
  }

  @Test
  void aForgottenAddressClosesItsIdleConnectionAndALaterSendConnectsAnew() throws Exception {
    try (ScriptedBackend b =
        new ScriptedBackend((h, body, n) -> Reply.keepAlive(ScriptedBackend.ok(BODY)))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(b.connections()).isEqualTo(1);
      client.forget("127.0.0.1", b.port());
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(b.connections()).isEqualTo(2);
    }
  }

  @Test
  void chunkedAnswersAreReadWhole() throws Exception {
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"out\r\n9\r\nputs\":[]}\r\n0\r\n\r\n";
    try (ScriptedBackend b = new ScriptedBackend((h, body, n) -> Reply.keepAlive(chunked))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(lastHead()).isEmpty(); // Jetty's status line is written; framing is the router's
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(b.connections()).isEqualTo(1);
    }
  }

  @Test
  void answersDelimitedByCloseAreReadAndTheConnectionIsNotReused() throws Exception {
    String untilClose = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + BODY;
    try (ScriptedBackend b = new ScriptedBackend((h, body, n) -> Reply.thenClose(untilClose))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(b.connections()).isEqualTo(2);
    }
  }

  @Test
  void aConnectionTheBackendClosedWhileIdleIsNotUsedAgain() throws Exception {
    // answers with a keep-alive framing, then closes anyway (as a backend's idle timeout does)
    try (ScriptedBackend b =
        new ScriptedBackend((h, body, n) -> Reply.thenClose(ScriptedBackend.ok(BODY)))) {
      for (int i = 0; i < 5; i++) {
        assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
        Thread.sleep(100); // the close reaches the client's selector
      }
      assertThat(b.connections()).isEqualTo(5);
    }
  }

  @Test
  void errorStatusesAreAnswersNotFailures() throws Exception {
    String notReady =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 16\r\n\r\n{\"error\":\"busy\"}";
    try (ScriptedBackend b = new ScriptedBackend((h, body, n) -> Reply.keepAlive(notReady))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(503, "{\"error\":\"busy\"}", null));
    }
  }

  @Test
  void theRequestArrivesWithItsBody() throws Exception {
    List<String> seen = new ArrayList<>();
    try (ScriptedBackend b =
        new ScriptedBackend(
            (h, body, n) -> {
              seen.add(h.split("\r\n")[0] + " " + new String(body, StandardCharsets.UTF_8));
              return Reply.keepAlive(ScriptedBackend.ok(BODY));
            })) {
      exchange(b.port());
      assertThat(seen).containsExactly("POST /v2/models/m/infer HTTP/1.1 {\"inputs\":[]}");
    }
  }

  /** The last answer's head as text: status line (if passed on) and header lines. */
  private String lastHead() {
    BackendAnswer a = answers.get(answers.size() - 1);
    return new String(a.head(), 0, a.headLength(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void aUsualAnswersHeadIsPassedOnAsItCameWithoutItsHopByHopLines() throws Exception {
    String answer =
        "HTTP/1.1 201 Made Here\r\nx-odd-Case:  two  spaces\r\nConnection: keep-alive\r\n"
            + "Keep-Alive: timeout=5\r\nContent-Type: application/json\r\nUpgrade: h2c\r\n"
            + "Content-Length: 14\r\n\r\n"
            + BODY;
    try (ScriptedBackend b = new ScriptedBackend((h, body, n) -> Reply.keepAlive(answer))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(201, BODY, null));
      assertThat(lastHead())
          .isEqualTo(
              "HTTP/1.1 201 Made Here\r\nx-odd-Case:  two  spaces\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 14\r\n");
      BackendAnswer a = answers.get(0);
      assertThat(a.statusLineLength()).isEqualTo("HTTP/1.1 201 Made Here\r\n".length());
      assertThat(a.lengthKept()).isTrue();
      List<String> fields = new ArrayList<>();
      a.forEachField((k, v) -> fields.add(k + "=" + v));
      assertThat(fields).containsExactly("x-odd-Case=two  spaces", "Content-Type=application/json");
      assertThat(exchange(b.port())).isEqualTo(new Outcome(201, BODY, null));
      assertThat(b.connections()).isEqualTo(1);
    }
  }

  @Test
  void anAnswerArrivingByteByByteIsPutTogether() throws Exception {
    try (ScriptedBackend b =
        new ScriptedBackend(
            (h, body, n) -> Reply.inPieces(ScriptedBackend.ok(BODY), n == 1 ? 1 : 7))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(lastHead()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("Content-Length: 14\r\n");
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(b.connections()).isEqualTo(1);
    }
  }

  @Test
  void connectionCloseOnAUsualAnswerKeepsTheConnectionOutOfThePool() throws Exception {
    String answer =
        "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 14\r\n\r\n" + BODY;
    try (ScriptedBackend b = new ScriptedBackend((h, body, n) -> Reply.keepAlive(answer))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(lastHead()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 14\r\n");
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(b.connections()).isEqualTo(2);
    }
  }

  @Test
  void otherAnswersAreReadByJettysParserAndTheirFieldsRendered() throws Exception {
    // HTTP/1.0 keep-alive with a length, a bare-LF head and a 204: not the usual shape
    List<String> script =
        List.of(
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nX-A: 1\r\nContent-Length: 14\r\n\r\n"
                + BODY,
            "HTTP/1.1 200 OK\nX-B: 2\nContent-Length: 14\n\n" + BODY,
            "HTTP/1.1 204 No Content\r\nX-C: 3\r\n\r\n");
    try (ScriptedBackend b =
        new ScriptedBackend((h, body, n) -> Reply.keepAlive(script.get(n - 1)))) {
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(lastHead()).isEqualTo("X-A: 1\r\n");
      assertThat(exchange(b.port())).isEqualTo(new Outcome(200, BODY, null));
      assertThat(lastHead()).isEqualTo("X-B: 2\r\n");
      assertThat(exchange(b.port())).isEqualTo(new Outcome(204, "", null));
      assertThat(lastHead()).isEqualTo("X-C: 3\r\n");
      assertThat(answers).allSatisfy(a -> assertThat(a.lengthKept()).isFalse());
      assertThat(answers).allSatisfy(a -> assertThat(a.statusLineLength()).isZero());
      assertThat(b.connections()).isEqualTo(1);
    }
  }

  @Test
  void aRefusedConnectionIsNotSent() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(exchange(port).failure()).isEqualTo(FailureKind.NOT_SENT);
  }

  @Test
  void aSilentBackendTimesOut() throws Exception {
    try (ScriptedBackend b = new ScriptedBackend((h, body, n) -> new Reply(null, false))) {
      long t0 = System.nanoTime();
      Outcome o = exchange(b.port(), 300, 1 << 20);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(o.failure()).isEqualTo(FailureKind.TIMEOUT);
      assertThat(ms).isBetween(250L, 5_000L);
    }
  }

  @Test
  void anAnswerCutOffIsBroken() throws Exception {
    String cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"outp";
    try (ScriptedBackend b = new ScriptedBackend((h, body, n) -> Reply.thenClose(cut))) {
      assertThat(exchange(b.port()).failure()).isEqualTo(FailureKind.BROKEN);
    }
  }

  @Test
  void garbageIsBroken() throws Exception {
    try (ScriptedBackend b =
        new ScriptedBackend((h, body, n) -> Reply.keepAlive("SSH-2.0-OpenSSH\r\n\r\n"))) {
      assertThat(exchange(b.port()).failure()).isEqualTo(FailureKind.BROKEN);
    }
  }

  @Test
  void anAnswerLargerThanTheLimitIsTooLarge() throws Exception {
    String big = "x".repeat(5_000);
    try (ScriptedBackend b =
        new ScriptedBackend((h, body, n) -> Reply.keepAlive(ScriptedBackend.ok(big)))) {
      assertThat(exchange(b.port(), 5_000, 4_096).failure()).isEqualTo(FailureKind.TOO_LARGE);
      assertThat(exchange(b.port(), 5_000, 8_192).body()).isEqualTo(big);
    }
  }

  @Test
  void concurrentExchangesAllCompleteOnBoundedConnections() throws Exception {
    try (ScriptedBackend b =
        new ScriptedBackend((h, body, n) -> Reply.keepAlive(ScriptedBackend.ok(BODY)))) {
      List<CompletableFuture<List<Outcome>>> callers = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        callers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  List<Outcome> out = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    try {
                      out.add(exchange(b.port()));
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }
                  return out;
                }));
      }
      for (CompletableFuture<List<Outcome>> c : callers) {
        assertThat(c.get(60, TimeUnit.SECONDS))
            .allSatisfy(o -> assertThat(o).isEqualTo(new Outcome(200, BODY, null)));
      }
      assertThat(b.requests()).isEqualTo(1_600);
      assertThat(b.connections()).isLessThanOrEqualTo(16);
    }
  }
}
