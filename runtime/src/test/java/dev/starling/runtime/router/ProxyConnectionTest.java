package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.runtime.metrics.RuntimeMetrics;
import dev.starling.runtime.router.ScriptedBackend.Reply;
import dev.starling.runtime.router.backend.BackendClient;
import dev.starling.runtime.router.config.RouterConfig;
import dev.starling.runtime.router.config.RouterConfigLoader;
import dev.starling.runtime.router.config.RouterConfigValidator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lean proxy path ({@link ProxyConnection}) in an in-process router with the real server setup,
 * in front of a scripted loopback backend, spoken to over raw sockets: pipelining, requests cut
 * into many pieces, large bodies, a backend or a caller going away mid-exchange, and the handover
 * to Jetty's HTTP/1.1 for what the lean path does not take.
 */
class ProxyConnectionTest {
  private QueuedThreadPool pool;
  private BackendClient client;
  private RouterHandler handler;
  private RouterMetrics metrics;
  private RoutingState state;
  private Server server;
  private ScriptedBackend backend;
  private int port;

  /** A backend that answers with what it got: method, target, Host, some headers, body digest. */
  private static Reply echo(String head, byte[] body, int n) throws Exception {
    String[] lines = head.split("\r\n");
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      h.put(lines[i].substring(0, c).toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
    }
    String digest =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(body))
            .substring(0, 16);
    String text =
        "{\"line\":\"%s\",\"host\":\"%s\",\"pin\":\"%s\",\"connection\":\"%s\",\"keepalive\":\"%s\",\"length\":%d,\"sha\":\"%s\",\"n\":%d}"
            .formatted(
                lines[0],
                h.get("host"),
                h.get("x-starling-version"),
                h.get("connection"),
                h.get("keep-alive"),
                body.length,
                digest,
                n);
    return Reply.keepAlive(ScriptedBackend.ok(text));
  }

  private void start(ScriptedBackend.Script script, String extraYaml) throws Exception {
    start(script, extraYaml, "");
  }

  /** {@code moreEndpoints}: v1's endpoints after the backend's, e.g. {@code , 'http://...'}. */
  private void start(ScriptedBackend.Script script, String extraYaml, String moreEndpoints)
      throws Exception {
    backend = new ScriptedBackend(script);
    RouterConfig cfg =
        RouterConfigValidator.validate(
            RouterConfigLoader.parse(
                """
                pinHeader: x-starling-version
                server: {maxRequestBytes: 2097152}
                proxy: {requestTimeout: 5s}
                versions:
                  - {name: v1, weight: 100, endpoints: ['http://127.0.0.1:%d'%s]}
                %s
                """
                    .formatted(backend.port(), moreEndpoints, extraYaml),
                "test"));
    metrics = new RouterMetrics(new RuntimeMetrics());
    state = new RoutingState(cfg, metrics::table);
    state.endpoints().forEach(e -> state.setReady(e, true, "test"));
    pool = new RouterThreadPool(12);
    client =
        new BackendClient(
            pool,
            Duration.ofSeconds(2),
            Duration.ofSeconds(15),
            cfg.proxy().maxConnectionsPerEndpoint());
    handler = new RouterHandler(client, state, new Mirror(client, metrics), metrics);
    server = RouterServer.server(pool, handler, "127.0.0.1", 0);
    client.start();
    server.start();
    port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
      client.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** One answer: status, lower-cased headers, body. */
  record Answer(int status, Map<String, String> headers, String body) {}

  private static String post(String path, String body, String... headers) {
    StringBuilder sb = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: router\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return sb.append("Content-Length: ")
        .append(b.length)
        .append("\r\n\r\n")
        .append(body)
        .toString();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(10_000);
    return s;
  }

  private static Answer read(InputStream in) throws IOException {
    String status = line(in);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int c = h.indexOf(':');
      headers.put(h.substring(0, c).toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    return new Answer(Integer.parseInt(status.split(" ")[1]), headers, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("closed after: " + b);
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void theRoutersConnectorQueuesABurstOfNewConnectionsAsTheRuntimesDoes() throws Exception {
    start(ProxyConnectionTest::echo, "");
    assertThat(((ServerConnector) server.getConnectors()[0]).getAcceptQueueSize())
        .isEqualTo(dev.starling.runtime.http.StarlingApp.ACCEPT_QUEUE);
  }

  @Test
  void theBackendConnectionIsReadByTheCallersSelectorAndIsNotCountedAsACaller() throws Exception {
    start(ProxyConnectionTest::echo, "");
    ServerConnector connector = (ServerConnector) server.getConnectors()[0];
    try (Socket s = connect()) {
      s.getOutputStream().write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.UTF_8));
      assertThat(read(s.getInputStream()).status()).isEqualTo(200);
      // the caller's connection and the backend connection the router opened for it
      assertThat(connector.getSelectorManager().getTotalKeys()).isEqualTo(2);
      assertThat(connector.getConnectedEndPoints()).hasSize(1);
    }
  }

  @Test
  void aLiveRequestWhoseConnectTimesOutGoesOnceToAnotherEndpointAndLeavesTheFirstReady()
      throws Exception {
    try (Blackhole hole = new Blackhole()) {
      start(ProxyConnectionTest::echo, "", ", 'http://127.0.0.1:" + hole.port() + "'");
      try (Socket s = connect()) {
        for (int i = 0; i < 2; i++) { // round robin: at least one of them meets the hole first
          s.getOutputStream()
              .write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.UTF_8));
          assertThat(read(s.getInputStream()).status()).isEqualTo(200);
        }
      }
      assertThat(backend.requests()).isEqualTo(2);
      String scrape = metrics.scrape();
      assertThat(scrape)
          .containsPattern("starling_router_retries_total\\{version=\"v1\"\\} [12]\\.0");
      assertThat(scrape).doesNotContain("reason=\"connect_timeout\"");
      // a timed-out connect is not a refusal: only health checks take the endpoint out
      assertThat(state.endpoints()).allSatisfy(e -> assertThat(e.ready()).isTrue());
    }
  }

  @Test
  void forwardsTheRequestWithTheBackendsHostAndNoHopByHopHeaders() throws Exception {
    start(ProxyConnectionTest::echo, "");
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              post(
                      "/v2/models/m/infer?x=1",
                      "{\"a\":1}",
                      "Connection: keep-alive",
                      "Keep-Alive: timeout=5",
                      "X-Starling-Version: v1")
                  .getBytes(StandardCharsets.ISO_8859_1));
      Answer a = read(s.getInputStream());
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.headers()).containsEntry("x-starling-served-by", "v1");
      assertThat(a.body())
          .contains("\"line\":\"POST /v2/models/m/infer?x=1 HTTP/1.1\"")
          .contains("\"host\":\"127.0.0.1:" + backend.port() + "\"")
          .contains("\"pin\":\"v1\"")
          .contains("\"connection\":\"null\"")
          .contains("\"keepalive\":\"null\"")
          .contains("\"length\":7");
    }
    assertThat(metrics.scrape())
        .contains("starling_router_requests_total{status=\"200\",version=\"v1\"} 1.0");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
    start(ProxyConnectionTest::echo, "");
    try (Socket s = connect()) {
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        all.append(post("/v2/models/m/infer", "{\"i\":" + i + "}" + "x".repeat(i)));
      }
      s.getOutputStream().write(all.toString().getBytes(StandardCharsets.ISO_8859_1));
      for (int i = 0; i < 5; i++) {
        Answer a = read(s.getInputStream());
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).contains("\"length\":" + (7 + i));
      }
    }
  }

  @Test
  void aRequestCutIntoManyPiecesIsPutTogether() throws Exception {
    start(ProxyConnectionTest::echo, "");
    String body = "{\"inputs\":[1,2,3]}";
    byte[] bytes =
        post("/v2/models/m/infer", body, "X-Starling-Version: v1")
            .getBytes(StandardCharsets.ISO_8859_1);
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < bytes.length; i++) {
        out.write(bytes[i]);
        out.flush();
        if (i % 16 == 0) {
          Thread.sleep(2); // separate segments, not one coalesced write
        }
      }
      Answer a = read(s.getInputStream());
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body()).contains("\"pin\":\"v1\"").contains("\"length\":" + body.length());
    }
  }

  @Test
  void aLargeBodyArrivesIntactAndOneAboveTheLimitIsRefused() throws Exception {
    start(ProxyConnectionTest::echo, "");
    byte[] big = new byte[1_500_000];
    new Random(7).nextBytes(big);
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + (big[i] & 15)); // text, so String round trips keep it
    }
    String body = new String(big, StandardCharsets.ISO_8859_1);
    String digest =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)).substring(0, 16);
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(post("/v2/models/m/infer", body).getBytes(StandardCharsets.ISO_8859_1));
      Answer a = read(s.getInputStream());
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body()).contains("\"length\":1500000").contains("\"sha\":\"" + digest + "\"");
      // the same connection takes a small one after the large one
      s.getOutputStream()
          .write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(s.getInputStream()).body()).contains("\"length\":2");
    }
    try (Socket s = connect()) {
      byte[] tooBig =
          post("/v2/models/m/infer", "x".repeat(2_100_000)).getBytes(StandardCharsets.ISO_8859_1);
      // the router may answer 413 and close before the whole body is sent, so a write that blocks
      // would fail with a broken pipe: write on another thread and read the answer here
      Thread writer =
          new Thread(
              () -> {
                try {
                  s.getOutputStream().write(tooBig);
                } catch (IOException expected) {
                  // closed by the router after its answer
                }
              });
      writer.start();
      Answer a = read(s.getInputStream());
      writer.join(10_000);
      assertThat(a.status()).isEqualTo(413);
      assertThat(a.body()).startsWith("{\"error\":");
    }
  }

  @Test
  void aBackendClosingMidAnswerIsA502AndTheCallersConnectionGoesOn() throws Exception {
    start(
        (head, body, n) ->
            head.contains("cut")
                ? Reply.thenClose(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"part")
                : echo(head, body, n),
        "");
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(post("/v2/models/cut/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      Answer a = read(s.getInputStream());
      assertThat(a.status()).isEqualTo(502);
      assertThat(a.headers()).containsEntry("x-starling-routed-to", "v1");
      assertThat(a.headers().get("content-type")).isEqualTo("application/json");
      assertThat(a.body()).startsWith("{\"error\":\"version 'v1' failed while answering");
      // the broken endpoint is out until a health check passes (none runs here): a 503 on the
      // same connection, then a 200 once it is back
      s.getOutputStream()
          .write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      Answer out = read(s.getInputStream());
      assertThat(out.status()).isEqualTo(503);
      assertThat(out.body()).startsWith("{\"error\":");
      state.endpoints().forEach(e -> state.setReady(e, true, "test"));
      s.getOutputStream()
          .write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(s.getInputStream()).status()).isEqualTo(200);
    }
    assertThat(backend.requests()).isEqualTo(2); // the cut one was never sent again
    // each answer timed by its outcome: the router's own 503 (no version with a ready endpoint,
    // so version "none") and the 502 stay out of "ok"
    String scrape = metrics.scrape();
    for (String series :
        new String[] {
          "outcome=\"ok\",version=\"v1\"",
          "outcome=\"error\",version=\"v1\"",
          "outcome=\"shed\",version=\"none\""
        }) {
      assertThat(scrape)
          .containsPattern(
              "starling_router_request_duration_seconds_count\\{" + series + "\\} 1(\\.0)?\n");
    }
  }

  /** The head of the next answer exactly as it arrived, up to and with its blank line. */
  private static String rawHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed after: " + b);
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void theBackendsHeadReachesTheCallerAsItCameWithoutHopByHopLines() throws Exception {
    start(
        (head, body, n) -> {
          if (head.contains("chunked")) {
            return Reply.keepAlive(
                "HTTP/1.1 200 OK\r\nx-Odd-Case: c\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\n{}\r\n0\r\n\r\n");
          }
          if (head.contains("untilclose")) {
            return Reply.thenClose("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}");
          }
          return Reply.keepAlive(
              "HTTP/1.1 201 Made Here\r\nx-Odd-Case:  two  spaces\r\nConnection: keep-alive\r\n"
                  + "Keep-Alive: timeout=5\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 2\r\n\r\n{}");
        },
        "");
    String plain =
        "HTTP/1.1 201 Made Here\r\nx-Odd-Case:  two  spaces\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\nx-starling-served-by: v1\r\n";
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(rawHead(in)).isEqualTo(plain + "\r\n");
      assertThat(new String(in.readNBytes(2), StandardCharsets.ISO_8859_1)).isEqualTo("{}");
      // answers Jetty's parser reads: the fields as lines, the router's own length
      out.write(post("/v2/models/chunked/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(rawHead(in))
          .isEqualTo(
              "HTTP/1.1 200 OK\r\nx-Odd-Case: c\r\nx-starling-served-by: v1\r\n"
                  + "Content-Length: 2\r\n\r\n");
      assertThat(new String(in.readNBytes(2), StandardCharsets.ISO_8859_1)).isEqualTo("{}");
      out.write(post("/v2/models/untilclose/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(rawHead(in))
          .isEqualTo(
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-starling-served-by: v1\r\n"
                  + "Content-Length: 2\r\n\r\n");
      assertThat(new String(in.readNBytes(2), StandardCharsets.ISO_8859_1)).isEqualTo("{}");
      // the caller's own Connection: close is the router's to add
      out.write(
          post("/v2/models/m/infer", "{}", "Connection: close")
              .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(rawHead(in)).isEqualTo(plain + "Connection: close\r\n\r\n");
      assertThat(new String(in.readNBytes(2), StandardCharsets.ISO_8859_1)).isEqualTo("{}");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aCallerLeavingBeforeItsAnswerLeavesNothingBehind() throws Exception {
    start(
        (head, body, n) -> {
          if (head.contains("slow")) {
            Thread.sleep(1500);
          }
          return echo(head, body, n);
        },
        "");
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(post("/v2/models/slow/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      await().atMost(Duration.ofSeconds(5)).until(() -> handler.inflight() == 1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> handler.inflight() == 0);
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(s.getInputStream()).status()).isEqualTo(200);
    }
    assertThat(backend.connections()).isEqualTo(1); // the backend connection went back to the pool
  }

  @Test
  void whatTheLeanPathDoesNotTakeJettyServesOnTheSameConnection() throws Exception {
    start(ProxyConnectionTest::echo, "");
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(in).headers()).containsEntry("x-starling-served-by", "v1");
      // chunked: Jetty's path, which reads the body whole and sends it with a length
      out.write(
          ("POST /v2/models/m/infer HTTP/1.1\r\nHost: r\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      Answer chunked = read(in);
      assertThat(chunked.status()).isEqualTo(200);
      assertThat(chunked.headers()).containsEntry("x-starling-served-by", "v1");
      assertThat(chunked.body()).contains("\"length\":7");
      // and the connection keeps working, for proxied and router-own paths alike
      out.write(post("/v2/models/m/infer", "{}").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(in).body()).contains("\"length\":2");
      out.write("GET /metrics HTTP/1.1\r\nHost: r\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(in).body()).contains("starling_router_requests_total");
    }
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              ("GET /v2/health/live HTTP/1.1\r\nHost: r\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(s.getInputStream()).body()).isEqualTo("{\"live\":true}");
    }
  }

  @Test
  void anUnknownPinIs404AndConnectionCloseClosesAfterTheAnswer() throws Exception {
    start(ProxyConnectionTest::echo, "");
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              post("/v2/models/m/infer", "{}", "x-starling-version: v7", "Connection: close")
                  .getBytes(StandardCharsets.ISO_8859_1));
      Answer a = read(s.getInputStream());
      assertThat(a.status()).isEqualTo(404);
      assertThat(a.headers()).containsEntry("connection", "close");
      assertThat(a.body()).isEqualTo("{\"error\":\"unknown version 'v7' in x-starling-version\"}");
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(backend.requests()).isZero();
  }

  @Test
  void anOversizedOrBareLfHeadIsAnsweredNotLeftHanging() throws Exception {
    start(ProxyConnectionTest::echo, "");
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              post("/v2/models/m/infer", "{}", "X-Big: " + "b".repeat(9000))
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(s.getInputStream()).status()).isEqualTo(431);
    }
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              "POST /v2/models/m/infer HTTP/1.1\nHost: r\nContent-Length: 2\n\n{}"
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(read(s.getInputStream()).status()).isIn(200, 400);
    }
  }
}
