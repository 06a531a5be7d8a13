package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.ModelConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.config.SourceConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Jetty fast path for the inference routes: it is in front of Javalin, answers what Javalin
 * answered, and leaves every other method and spelling to Javalin. (Every other HTTP test sends its
 * inference requests through it too.)
 */
class FastPathHttpTest {
  private static final String IRIS = "/v2/models/iris/infer";
  private static TestingServer server;
  private static String irisBody;
  private static String irisAnswer;

  @BeforeAll
  static void start() {
    server = TestingServer.samples();
    irisBody = Samples.file("iris.request.json");
    irisAnswer = server.post(IRIS, irisBody).body();
    assertThat(irisAnswer).contains("\"model_name\":\"iris\"");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void fastPathSitsInFrontOfJavalin() {
    assertThat(server.jettyHandler()).isInstanceOf(InferenceFastPath.class);
  }

  /**
   * A runtime serving one model names its version on every answer, as the router does: a caller
   * reaching a version's pods without a router (a one-version ModelDeployment) still sees it.
   */
  @Test
  void oneModelNamesItsVersionOnEveryAnswer() {
    ModelConfig iris =
        new ModelConfig(
            "iris",
            "v7",
            new SourceConfig(Samples.model("iris").toUri().toString(), null),
            Samples.signature("iris"),
            true);
    RuntimeConfig cfg =
        new RuntimeConfig(
                ServerConfig.defaults().withHost("127.0.0.1").withPort(0), null, null, null, null)
            .withModels(List.of(iris));
    try (TestingServer one = TestingServer.start(cfg)) {
      String body = Samples.file("iris.request.json");
      HttpResponse<String> fast = one.post(IRIS, body);
      assertThat(fast.statusCode()).isEqualTo(200);
      assertThat(fast.headers().allValues(StarlingApp.SERVED_BY)).containsExactly("v7");
      HttpResponse<String> javalin = one.post("/v2/models/iris/infer/", body);
      assertThat(javalin.headers().allValues(StarlingApp.SERVED_BY)).containsExactly("v7");
      assertThat(one.get("/v2/health/ready").headers().allValues(StarlingApp.SERVED_BY))
          .containsExactly("v7");
    }
    // several models: no single version to name
    assertThat(server.post(IRIS, irisBody).headers().firstValue(StarlingApp.SERVED_BY)).isEmpty();
  }

  @Test
  void otherMethodsOnInferencePathsAreJavalinsAnswers() {
    HttpResponse<String> get = server.get(IRIS);
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(get.body()).isEqualTo("{\"error\":\"no such endpoint\"}");
    HttpResponse<String> head =
        server.send(
            HttpRequest.newBuilder(URI.create(server.url("/v2/models/iris/versions/1/infer")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(head.statusCode()).isEqualTo(404);
    HttpResponse<String> v1Get = server.get("/v1/models/iris:predict");
    assertThat(v1Get.statusCode()).isEqualTo(404);
    assertThat(v1Get.body()).contains("unknown model 'iris:predict'");
  }

  @Test
  void otherSpellingsFallThroughAndAreAnsweredAsBefore() {
    assertThat(server.post("/v2/models/iris/infer/", irisBody).body()).isEqualTo(irisAnswer);
    assertThat(server.post("/v2/models/ir%69s/infer", irisBody).body()).isEqualTo(irisAnswer);
    assertThat(server.post("/v2/models/iris/infer?x=1", irisBody).body()).isEqualTo(irisAnswer);
    assertThat(server.post("/V2/models/iris/infer", irisBody).statusCode()).isEqualTo(404);
  }

  /**
   * Javalin's compression rule holds on the fast path: a large answer to a client that accepts gzip
   * comes gzipped with the same bytes Javalin sends (asked through a spelling only Javalin takes),
   * a small one or one to {@code gzip;q=0.5} comes plain.
   */
  @Test
  void compressionIsJavalinsRule() throws IOException {
    String v1 = "{\"instances\": [" + "[5.1, 3.5, 1.4, 0.2],".repeat(19) + "[5.1, 3.5, 1.4, 0.2]]}";
    HttpResponse<byte[]> plain = postBytes("/v1/models/iris:predict", v1, null);
    assertThat(plain.body().length).isGreaterThan(1500);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    HttpResponse<byte[]> fast = postBytes("/v1/models/iris:predict", v1, "GZip, deflate");
    HttpResponse<byte[]> javalin = postBytes("/v1/models/iris:predict/", v1, "GZip, deflate");
    assertThat(fast.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(javalin.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(fast.body()).isEqualTo(javalin.body());
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(fast.body()))) {
      assertThat(in.readAllBytes()).isEqualTo(plain.body());
    }
    HttpResponse<byte[]> weighted = postBytes("/v1/models/iris:predict", v1, "gzip;q=0.5");
    assertThat(weighted.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(weighted.body()).isEqualTo(plain.body());
    HttpResponse<byte[]> small = postBytes(IRIS, irisBody, "gzip");
    assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(new String(small.body(), StandardCharsets.UTF_8)).isEqualTo(irisAnswer);
  }

  private static HttpResponse<byte[]> postBytes(String path, String body, String acceptEncoding) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url(path)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (acceptEncoding != null) {
      b.header("Accept-Encoding", acceptEncoding);
    }
    try {
      return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void errorsKeepTheirStatusMessageAndHeaders() {
    HttpResponse<String> unknown = server.post("/v2/models/nope/infer", irisBody);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body())
        .startsWith("{\"error\":\"unknown model 'nope'; this server serves [");
    HttpResponse<String> version = server.post("/v2/models/iris/versions/2/infer", irisBody);
    assertThat(version.statusCode()).isEqualTo(404);
    assertThat(version.body())
        .isEqualTo("{\"error\":\"model 'iris' has no version '2' here (serving 1)\"}");
    HttpResponse<String> type = server.post(IRIS, "text/plain", irisBody);
    assertThat(type.statusCode()).isEqualTo(415);
    assertThat(type.body())
        .isEqualTo("{\"error\":\"Content-Type must be application/json, got 'text/plain'\"}");
    assertThat(type.headers().firstValue("Content-Type")).hasValue("application/json");
    HttpResponse<String> v1 = server.post("/v1/models/iris:predict", "{\"rows\": 1}");
    assertThat(v1.statusCode()).isEqualTo(400);
    assertThat(v1.body()).isEqualTo("{\"error\":\"request must be {\\\"instances\\\": [...]}\"}");
  }

  /**
   * The Javalin inference routes now serve only the spellings the fast path leaves to them (here a
   * trailing slash); every error they give must be the fast path's: status, body and headers.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown model V2       | /v2/models/nope/infer            | application/json | IRIS
          unknown version        | /v2/models/iris/versions/2/infer | application/json | IRIS
          unknown model V1       | /v1/models/nope:predict          | application/json | {"instances": [[1, 2, 3, 4]]}
          wrong content type     | /v2/models/iris/infer            | text/plain       | IRIS
          truncated JSON         | /v2/models/iris/infer            | application/json | {"inputs": [
          wrong shape            | /v2/models/iris/infer            | application/json | {"inputs":[{"name":"float_input","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}
          unknown input          | /v2/models/iris/infer            | application/json | {"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}
          V1 without instances   | /v1/models/iris:predict          | application/json | {"rows": 1}
          V1 ragged rows         | /v1/models/iris:predict          | application/json | {"instances": [[1, 2, 3, 4], [1, 2]]}
          empty body             | /v2/models/iris/infer            | application/json | ''
          body over the limit    | /v2/models/iris/infer            | application/json | TOO_LONG
          """)
  void javalinsInferRoutesAnswerErrorsAsTheFastPathDoes(
      String name, String path, String type, String body) throws IOException {
    Reply fast = exchange(path, type, body);
    Reply javalin = exchange(path + "/", type, body);
    assertThat(fast.status()).as("fast path status").isBetween(400, 499);
    assertThat(javalin.status()).isEqualTo(fast.status());
    assertThat(javalin.body()).isEqualTo(fast.body()).startsWith("{\"error\":");
    for (String h : new String[] {"content-type", "connection", "retry-after"}) {
      assertThat(javalin.headers().get(h)).as(h).isEqualTo(fast.headers().get(h));
    }
  }

  /** One request on a new connection; TOO_LONG declares a body over the 4 MiB limit, sends none. */
  private static Reply exchange(String path, String type, String body) throws IOException {
    String text = "IRIS".equals(body) ? irisBody : body == null ? "" : body;
    String head =
        "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\nContent-Length: ";
    try (Socket s = socket()) {
      if ("TOO_LONG".equals(body)) {
        send(s, head + (5L << 20) + "\r\n\r\n");
      } else {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        send(s, head + bytes.length + "\r\n\r\n" + text);
      }
      return Reply.read(s.getInputStream());
    }
  }

  @Test
  void chunkedBodiesAreRead() throws IOException {
    try (Socket s = socket()) {
      send(s, head(IRIS, "Transfer-Encoding: chunked") + chunked(irisBody));
      Reply r = Reply.read(s.getInputStream());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(irisAnswer);
    }
  }

  @Test
  void chunkedBodiesOverTheLimitAre413() throws IOException {
    RuntimeConfig cfg =
        new RuntimeConfig(
            new ServerConfig(null, null, null, null, 2048L, null), null, null, null, null);
    try (TestingServer small = TestingServer.samples(cfg);
        Socket s = new Socket("127.0.0.1", small.port())) {
      s.setSoTimeout(20_000);
      String big = "{\"inputs\":[" + " ".repeat(4096) + "]}";
      try {
        send(s, head(IRIS, "Transfer-Encoding: chunked") + chunked(big));
      } catch (IOException e) {
        // the server may answer and close before the whole body is written
      }
      Reply r = Reply.read(s.getInputStream());
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body())
          .isEqualTo("{\"error\":\"request body exceeds the limit of 2048 bytes\"}");
    }
  }

  @Test
  void expectContinueIsHonoured() throws IOException {
    try (Socket s = socket()) {
      byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
      send(s, head(IRIS, "Expect: 100-continue", "Content-Length: " + body.length));
      Reply interim = Reply.read(s.getInputStream());
      assertThat(interim.status()).isEqualTo(100);
      s.getOutputStream().write(body);
      Reply r = Reply.read(s.getInputStream());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(irisAnswer);
    }
  }

  /** A 415 answered without reading the body: the body is skipped, the connection goes on. */
  @Test
  void anAnswerBeforeTheBodyIsReadLeavesTheConnectionUsable() throws IOException {
    byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
    try (Socket s = socket()) {
      send(
          s,
          "POST "
              + IRIS
              + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
              + body.length
              + "\r\n\r\n"
              + irisBody);
      Reply refused = Reply.read(s.getInputStream());
      assertThat(refused.status()).isEqualTo(415);
      assertThat(refused.headers()).doesNotContainKey("connection");
      send(s, head(IRIS, "Content-Length: " + body.length) + irisBody);
      Reply r = Reply.read(s.getInputStream());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(irisAnswer);
    }
  }

  /**
   * A body that drips in below {@code server.minRequestDataRate} (1024 B/s by default) is cut off
   * with 408 on the fast path and on Javalin's (the trailing-slash spelling) alike.
   */
  @Test
  void aDrippingBodyIsCutOffWith408() throws Exception {
    for (String path : new String[] {IRIS, IRIS + "/"}) {
      byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
      try (Socket s = socket()) {
        send(s, head(path, "Content-Length: " + body.length));
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        // 5 bytes every 100 ms: 50 B/s, and the whole body would take several seconds.
        for (int i = 0; i < body.length && in.available() == 0; i += 5) {
          out.write(body, i, Math.min(5, body.length - i));
          out.flush();
          Thread.sleep(100);
        }
        Reply r = Reply.read(in);
        assertThat(r.status()).as(path).isEqualTo(408);
        assertThat(r.body())
            .isEqualTo(
                "{\"error\":\"request body did not arrive in time; the connection is closed\"}");
        assertThat(r.headers()).containsEntry("connection", "close");
      }
    }
  }

  @Test
  void oneConnectionCarriesManyRequests() throws IOException {
    byte[] body = irisBody.getBytes(StandardCharsets.UTF_8);
    String v1 = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}";
    try (Socket s = socket()) {
      InputStream in = s.getInputStream();
      for (int i = 0; i < 200; i++) {
        if (i % 2 == 0) {
          send(s, head(IRIS, "Content-Length: " + body.length) + irisBody);
          Reply r = Reply.read(in);
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).isEqualTo(irisAnswer);
          assertThat(r.headers()).doesNotContainKey("connection");
        } else {
          send(s, head("/v1/models/iris:predict", "Content-Length: " + v1.length()) + v1);
          Reply r = Reply.read(in);
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).startsWith("{\"predictions\":[{\"label\":\"setosa\"");
        }
      }
    }
  }

  private static Socket socket() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(20_000);
    return s;
  }

  private static String head(String path, String... headers) {
    StringBuilder b =
        new StringBuilder(
            "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  private static String chunked(String body) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < body.length(); i += 50) {
      String part = body.substring(i, Math.min(body.length(), i + 50));
      b.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
    }
    return b.append("0\r\n\r\n").toString();
  }

  private static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** One HTTP/1.1 response with a Content-Length body (or none); OverloadHttpTest reads with it. */
  record Reply(int status, Map<String, String> headers, String body) {
    static Reply read(InputStream in) throws IOException {
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h; !(h = line(in)).isEmpty(); ) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      return new Reply(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new IOException("connection closed; got " + b);
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    }
  }
}
