package dev.starling.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.starling.runtime.testing.RuntimeProcess;
import dev.starling.runtime.testing.Samples;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the real runtime jar under load: the process exits 0 within its grace period, every
 * request that was accepted is answered with a correct 200, and requests that fail do so before
 * their bytes were sent (connection refused, or a keep-alive connection the server had already
 * closed). A hand-written HTTP/1.1 client over {@link Socket} tells those cases apart, which the
 * JDK client cannot.
 */
class GracefulShutdownIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final int CLIENTS = 16;
  private static final int MAX_REQUESTS = 20_000;
  private static final Duration MAX_LOAD = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void sigtermUnderLoadAnswersEveryAcceptedRequestAndExitsZero() throws Exception {
    Path config = config("0s", "iris", "mlp");
    byte[] body = Samples.file("mlp.request.json").getBytes(StandardCharsets.UTF_8);
    JsonNode expected = JSON.readTree(Samples.file("mlp.response.json"));
    Tally tally = new Tally();
    AtomicLong terminatedAt = new AtomicLong();
    AtomicInteger attempts = new AtomicInteger();

    try (RuntimeProcess runtime = RuntimeProcess.serve(config, READY_TIMEOUT)) {
      byte[] request = RawClient.post(runtime.port(), "/v2/models/mlp/infer", body);
      Map<String, Boolean> verified = new ConcurrentHashMap<>();
      long deadline = System.nanoTime() + MAX_LOAD.toNanos();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread t =
            new Thread(
                () -> {
                  try (RawClient client = new RawClient(runtime.port())) {
                    while (System.nanoTime() < deadline
                        && attempts.incrementAndGet() <= MAX_REQUESTS) {
                      long term = terminatedAt.get();
                      Outcome o = client.exchange(request, r -> correctMlp(r, expected, verified));
                      tally.add(o, term);
                      if (o == Outcome.REFUSED) {
                        return; // nothing listens any more: this client is done
                      }
                    }
                  }
                },
                "load-" + i);
        t.start();
        clients.add(t);
      }

      // SIGTERM once the load is well under way: 2,000 answers or 3 s, whichever comes first.
      long termAt = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (tally.total(Outcome.OK) < 2_000 && System.nanoTime() < termAt) {
        Thread.sleep(10);
      }
      int attemptsAtTerm = attempts.get();
      long t0 = System.nanoTime();
      terminatedAt.set(t0);
      runtime.terminate();
      Integer exit = runtime.awaitExit(GRACE.plusSeconds(5));
      long exitMs = (System.nanoTime() - t0) / 1_000_000;
      for (Thread t : clients) {
        t.join(30_000);
      }

      System.out.printf(
          "graceful shutdown under load: %d attempts (%d before SIGTERM), exit %s after %d ms;"
              + " outcomes before SIGTERM %s, after %s (%s)%n",
          Math.min(attempts.get(), MAX_REQUESTS),
          attemptsAtTerm,
          exit,
          exitMs,
          tally.before(),
          tally.after(),
          tally.timeline());
      String log = runtime.log();
      assertThat(exit).as("exit code within the grace period; log:%n%s", log).isEqualTo(0);
      assertThat(clients).noneMatch(Thread::isAlive);
      assertThat(attemptsAtTerm)
          .as("the load was running when SIGTERM came")
          .isLessThan(MAX_REQUESTS);
      assertThat(tally.before(Outcome.OK)).isPositive();
      // Before SIGTERM nothing but correct answers.
      assertThat(tally.before().keySet()).containsOnly(Outcome.OK);
      // After it: correct 200s while draining (the runtime answers infer during the drain, with
      // Connection: close; it does not 503 it), then refusals once the listener is closed, and
      // resets of connections that were still in the listen backlog at that moment. Nothing the
      // server read is left without an answer (no CLOSED_*, TRUNCATED, RESET_REUSED_CONNECTION).
      assertThat(tally.after(Outcome.OK)).as("answers while draining").isPositive();
      assertThat(tally.after().keySet())
          .as("outcomes after SIGTERM; log:%n%s", log)
          .isSubsetOf(
              Outcome.OK,
              Outcome.REFUSED,
              Outcome.CLOSED_BEFORE_SEND,
              Outcome.RESET_NEW_CONNECTION);
    }
  }

  @Test
  void slowRequestInFlightAtSigtermStillGetsItsAnswer() throws Exception {
    int batch = 128;
    Path config = config("0s", "heavy");
    byte[] body = batchOf("heavy", batch);
    JsonNode expected = JSON.readTree(Samples.file("heavy.response.json"));

    try (RuntimeProcess runtime = RuntimeProcess.serve(config, READY_TIMEOUT);
        RawClient client = new RawClient(runtime.port())) {
      byte[] request = RawClient.post(runtime.port(), "/v2/models/heavy/infer", body);
      CompletableFuture<RawResponse> answer =
          CompletableFuture.supplyAsync(() -> client.send(request));
      awaitInflight(runtime, "heavy", answer);
      runtime.terminate();

      Integer exit = runtime.awaitExit(GRACE.plusSeconds(5));
      String log = runtime.log();
      RawResponse r =
          answer
              .exceptionally(e -> fail("no answer to the in-flight request; log:\n" + log, e))
              .get(GRACE.toSeconds(), TimeUnit.SECONDS);

      assertThat(log).contains("draining 1 in-flight request(s)");
      assertThat(r.status()).as("status; log:%n%s", log).isEqualTo(200);
      assertThat(correctBatch(r.body(), "heavy", expected, batch)).isTrue();
      assertThat(exit).as("exit code; log:%n%s", log).isEqualTo(0);
    }
  }

  @Test
  void answerStillBeingWrittenAtSigtermIsDeliveredWhole() throws Exception {
    // types.onnx echoes its inputs: three ~1 MB strings come back as a ~3 MB answer. A client that
    // takes little into its socket buffer and reads late keeps the server writing after the
    // request has left the in-flight count, and SIGTERM comes in that window.
    String big = "x".repeat(1_000_000);
    ObjectNode req = (ObjectNode) JSON.readTree(Samples.file("types.request.json"));
    for (JsonNode in : req.get("inputs")) {
      if (in.get("name").asText().equals("s")) {
        ((ObjectNode) in).set("data", JSON.createArrayNode().add(big).add(big).add(big));
      }
    }
    Path config = config("0s", "types");

    try (RuntimeProcess runtime = RuntimeProcess.serve(config, READY_TIMEOUT);
        RawClient client = new RawClient(runtime.port(), 8 * 1024)) {
      byte[] request =
          RawClient.post(runtime.port(), "/v2/models/types/infer", JSON.writeValueAsBytes(req));
      RawResponse r;
      try {
        r =
            client.send(
                request,
                () -> {
                  runtime.terminate();
                  sleepQuietly(500); // nothing is in flight now: the drain ends, the server stops
                });
      } catch (IllegalStateException e) {
        runtime.awaitExit(GRACE.plusSeconds(5));
        throw new AssertionError("the answer was cut off; log:\n" + runtime.log(), e);
      }
      Integer exit = runtime.awaitExit(GRACE.plusSeconds(5));

      assertThat(r.status()).isEqualTo(200);
      JsonNode echoed = null;
      for (JsonNode out : JSON.readTree(r.body()).get("outputs")) {
        if (out.get("name").asText().equals("s_out")) {
          echoed = out.get("data");
        }
      }
      assertThat(echoed).isNotNull();
      assertThat(echoed).extracting(JsonNode::asText).containsExactly(big, big, big);
      assertThat(exit).as("exit code; log:%n%s", runtime.log()).isEqualTo(0);
    }
  }

  @Test
  void notReadyButStillServingDuringTheDrainDelay() throws Exception {
    Path config = config("2s", "iris");
    byte[] iris = Samples.file("iris.request.json").getBytes(StandardCharsets.UTF_8);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    try (RuntimeProcess runtime = RuntimeProcess.serve(config, READY_TIMEOUT)) {
      assertThat(get(http, runtime.url("/v2/health/ready")).statusCode()).isEqualTo(200);
      runtime.terminate();

      HttpResponse<String> ready = get(http, runtime.url("/v2/health/ready"));
      for (int i = 0; i < 100 && ready.statusCode() == 200; i++) {
        Thread.sleep(10);
        ready = get(http, runtime.url("/v2/health/ready"));
      }
      HttpResponse<String> live = get(http, runtime.url("/v2/health/live"));
      HttpResponse<String> infer =
          http.send(
              HttpRequest.newBuilder(URI.create(runtime.url("/v2/models/iris/infer")))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(iris))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Integer exit = runtime.awaitExit(GRACE.plusSeconds(5));

      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(ready.body()))
          .isEqualTo(
              JSON.createObjectNode()
                  .put("ready", false)
                  .put("error", "the server is shutting down"));
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(infer.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(infer.body()).get("model_name").asText()).isEqualTo("iris");
      assertThat(exit).as("exit code; log:%n%s", runtime.log()).isEqualTo(0);
    }
  }

  // --- the runtime's configuration and requests ---

  private Path config(String drainDelay, String... models) throws IOException {
    StringBuilder yaml =
        new StringBuilder()
            .append("server:\n")
            .append("  drainDelay: ")
            .append(drainDelay)
            .append("\n")
            .append("  shutdownGracePeriod: ")
            .append(GRACE.toSeconds())
            .append("s\n")
            .append("models:\n");
    for (String m : models) {
      yaml.append("  - name: ").append(m).append("\n");
      yaml.append("    source:\n");
      yaml.append("      uri: ").append(Samples.model(m).toUri()).append("\n");
    }
    Path file = dir.resolve("runtime.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** heavy.request.json's image repeated {@code n} times: shape [n, 1, 32, 32]. */
  /** The sample request of {@code model} (batch 1) with its row repeated {@code n} times. */
  private static byte[] batchOf(String model, int n) throws IOException {
    ObjectNode req = (ObjectNode) JSON.readTree(Samples.file(model + ".request.json"));
    ObjectNode input = (ObjectNode) req.get("inputs").get(0);
    JsonNode row = input.get("data");
    ArrayNode data = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      data.addAll((ArrayNode) row);
    }
    input.set("data", data);
    ((ArrayNode) input.get("shape")).set(0, n);
    return JSON.writeValueAsBytes(req);
  }

  /** Waits until the runtime reports the request in flight for {@code model}. */
  private static void awaitInflight(
      RuntimeProcess runtime, String model, CompletableFuture<?> request) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Pattern gauge =
        Pattern.compile(
            "starling_inflight_requests\\{[^}]*model=\"" + model + "\"[^}]*\\} ([0-9.]+)");
    for (int i = 0; i < 2_000; i++) {
      assertThat(request).as("the request was answered before SIGTERM").isNotDone();
      Matcher m = gauge.matcher(get(http, runtime.url("/metrics")).body());
      if (m.find() && Double.parseDouble(m.group(1)) >= 1) {
        return;
      }
      Thread.sleep(2);
    }
    throw new AssertionError("the request never showed as in flight");
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static boolean correctMlp(
      RawResponse r, JsonNode expected, Map<String, Boolean> verified) {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    return verified.computeIfAbsent(body, b -> correctBatch(r.body(), "mlp", expected, 1));
  }

  /** Every row of the answer's single output equals the reference row (float tolerance). */
  private static boolean correctBatch(byte[] body, String model, JsonNode expected, int rows) {
    try {
      JsonNode got = JSON.readTree(body);
      JsonNode want = expected.get("outputs").get(0);
      JsonNode out = got.get("outputs").get(0);
      if (!model.equals(got.get("model_name").asText())
          || got.get("outputs").size() != 1
          || !want.get("name").equals(out.get("name"))
          || !want.get("datatype").equals(out.get("datatype"))
          || out.get("shape").get(0).asInt() != rows
          || !want.get("shape").get(1).equals(out.get("shape").get(1))) {
        return false;
      }
      JsonNode wantData = want.get("data");
      JsonNode gotData = out.get("data");
      int width = wantData.size();
      if (gotData.size() != rows * width) {
        return false;
      }
      for (int i = 0; i < gotData.size(); i++) {
        double w = wantData.get(i % width).asDouble();
        if (Math.abs(gotData.get(i).asDouble() - w) > 1e-4 * Math.max(1, Math.abs(w))) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  // --- a client that knows whether its request bytes left ---

  /** What became of one request. */
  enum Outcome {
    /** 200 with the right answer. */
    OK,
    /** 200 with a wrong or unreadable body. */
    WRONG_BODY,
    /** 503 (the runtime's JSON error). */
    UNAVAILABLE,
    /** Any other status. */
    OTHER_STATUS,
    /** TCP connect refused: the server was not accepting. */
    REFUSED,
    /** The connection was closed (or reset) before the request was written: never sent. */
    CLOSED_BEFORE_SEND,
    /**
     * Written on a new connection, then reset without a byte of answer. This is what the kernel
     * does to connections still waiting in the listen backlog when the server closes its listener:
     * the server never accepted them. From the client it cannot be told from a server that reset an
     * accepted connection without reading it.
     */
    RESET_NEW_CONNECTION,
    /** Written on a new connection, closed (FIN) without a byte of answer: read, not answered. */
    CLOSED_NEW_CONNECTION,
    /** Written on a kept-alive connection, reset without a byte of answer. */
    RESET_REUSED_CONNECTION,
    /** Written on a kept-alive connection, closed (FIN) without a byte of answer. */
    CLOSED_REUSED_CONNECTION,
    /** Part of an answer, then the connection ended. */
    TRUNCATED,
    /** No answer within the read timeout. */
    TIMEOUT
  }

  /** Counts of outcomes before and after SIGTERM, and when after it each kind came (ms). */
  static final class Tally {
    private final AtomicLongArray before = new AtomicLongArray(Outcome.values().length);
    private final AtomicLongArray after = new AtomicLongArray(Outcome.values().length);
    private final Map<Outcome, LongSummaryStatistics> whenAfter = new EnumMap<>(Outcome.class);

    /** {@code termNanos} is when SIGTERM was sent, or 0 while it was not. */
    void add(Outcome o, long termNanos) {
      if (termNanos == 0) {
        before.incrementAndGet(o.ordinal());
        return;
      }
      after.incrementAndGet(o.ordinal());
      long ms = (System.nanoTime() - termNanos) / 1_000_000;
      synchronized (whenAfter) {
        whenAfter.computeIfAbsent(o, k -> new LongSummaryStatistics()).accept(ms);
      }
    }

    /** Per outcome after SIGTERM: when it first and last came, in ms after SIGTERM. */
    String timeline() {
      StringBuilder sb = new StringBuilder();
      synchronized (whenAfter) {
        whenAfter.forEach(
            (o, st) ->
                sb.append(o)
                    .append(' ')
                    .append(st.getMin())
                    .append("..")
                    .append(st.getMax())
                    .append(" ms; "));
      }
      return sb.toString();
    }

    long total(Outcome o) {
      return before.get(o.ordinal()) + after.get(o.ordinal());
    }

    long before(Outcome o) {
      return before.get(o.ordinal());
    }

    long after(Outcome o) {
      return after.get(o.ordinal());
    }

    Map<Outcome, Long> before() {
      return counts(before);
    }

    Map<Outcome, Long> after() {
      return counts(after);
    }

    private static Map<Outcome, Long> counts(AtomicLongArray a) {
      Map<Outcome, Long> m = new EnumMap<>(Outcome.class);
      for (Outcome o : Outcome.values()) {
        if (a.get(o.ordinal()) > 0) {
          m.put(o, a.get(o.ordinal()));
        }
      }
      return m;
    }
  }

  /** A parsed HTTP/1.1 answer. */
  record RawResponse(int status, boolean close, byte[] body) {}

  /** Judges a 200's body. */
  interface BodyCheck {
    boolean correct(RawResponse r);
  }

  /**
   * HTTP/1.1 over one keep-alive {@link Socket} at a time, written by hand so that every failure is
   * placed before or after the request's bytes were handed to the kernel. Before reusing a
   * connection it checks (as pooling clients do) whether the server has already closed it.
   */
  static final class RawClient implements AutoCloseable {
    private final int port;
    private final int receiveBuffer;
    private Socket socket;
    private CountingInput in;
    private OutputStream out;

    RawClient(int port) {
      this(port, 0);
    }

    /**
     * A client whose sockets take at most about {@code receiveBuffer} bytes unread (0: default).
     */
    RawClient(int port, int receiveBuffer) {
      this.port = port;
      this.receiveBuffer = receiveBuffer;
    }

    static byte[] post(int port, String path, byte[] body) {
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + port
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n";
      byte[] h = head.getBytes(StandardCharsets.US_ASCII);
      byte[] all = new byte[h.length + body.length];
      System.arraycopy(h, 0, all, 0, h.length);
      System.arraycopy(body, 0, all, h.length, body.length);
      return all;
    }

    Outcome exchange(byte[] request, BodyCheck check) {
      if (socket != null && peerClosed()) {
        close();
      }
      boolean reused = socket != null;
      if (!reused) {
        try {
          open();
        } catch (ConnectException e) {
          return Outcome.REFUSED;
        } catch (IOException e) {
          close();
          return Outcome.CLOSED_BEFORE_SEND;
        }
      }
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        close();
        return Outcome.CLOSED_BEFORE_SEND;
      }
      in.count = 0;
      RawResponse r;
      try {
        r = read();
      } catch (SocketTimeoutException e) {
        close();
        return Outcome.TIMEOUT;
      } catch (IOException e) {
        boolean nothing = in.count == 0;
        close();
        if (!nothing) {
          return Outcome.TRUNCATED;
        }
        boolean reset = !(e instanceof EOFException);
        if (reused) {
          return reset ? Outcome.RESET_REUSED_CONNECTION : Outcome.CLOSED_REUSED_CONNECTION;
        }
        return reset ? Outcome.RESET_NEW_CONNECTION : Outcome.CLOSED_NEW_CONNECTION;
      }
      if (r.close()) {
        close();
      }
      return switch (r.status()) {
        case 200 -> check.correct(r) ? Outcome.OK : Outcome.WRONG_BODY;
        case 503 -> Outcome.UNAVAILABLE;
        default -> Outcome.OTHER_STATUS;
      };
    }

    /** Sends one request on a new connection and reads its answer; for single-shot tests. */
    RawResponse send(byte[] request) {
      return send(request, () -> {});
    }

    /**
     * Like {@link #send(byte[])}, running {@code afterStatusLine} once the status line has come:
     * the server is then writing the answer, and the rest waits in its buffers until read.
     */
    RawResponse send(byte[] request, Runnable afterStatusLine) {
      try {
        open();
        out.write(request);
        out.flush();
        String status = line();
        afterStatusLine.run();
        return read(status);
      } catch (IOException e) {
        throw new IllegalStateException("request failed: " + e, e);
      } finally {
        close();
      }
    }

    private void open() throws IOException {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        if (receiveBuffer > 0) {
          s.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(30_000);
      } catch (IOException e) {
        s.close();
        throw e;
      }
      socket = s;
      in = new CountingInput(s.getInputStream());
      out = s.getOutputStream();
    }

    /** True if the server has closed or reset the idle connection (or sent something unasked). */
    private boolean peerClosed() {
      try {
        if (in.available() > 0) {
          return true; // bytes nobody asked for: not a connection to send on
        }
        socket.setSoTimeout(1);
        in.read(); // returns only on end of stream or an unasked byte: unusable either way
        return true;
      } catch (SocketTimeoutException e) {
        return false; // open and quiet: reusable
      } catch (IOException e) {
        return true;
      } finally {
        try {
          if (!socket.isClosed()) {
            socket.setSoTimeout(30_000);
          }
        } catch (IOException ignored) {
          // closed meanwhile; the next write says so
        }
      }
    }

    private RawResponse read() throws IOException {
      return read(line());
    }

    private RawResponse read(String status) throws IOException {
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP status line: " + status);
      }
      int code = Integer.parseInt(parts[1]);
      long length = -1;
      boolean chunked = false;
      boolean close = parts[0].equals("HTTP/1.0");
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> close = value.equalsIgnoreCase("close");
          default -> {}
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (chunked) {
        for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
          body.write(exactly(size));
          line();
        }
        while (!line().isEmpty()) {
          // trailers
        }
      } else if (length >= 0) {
        body.write(exactly((int) length));
      } else {
        body.write(in.readAllBytes());
        close = true;
      }
      return new RawResponse(code, close, body.toByteArray());
    }

    private byte[] exactly(int n) throws IOException {
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new EOFException("body ended after " + b.length + " of " + n + " bytes");
      }
      return b;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new EOFException("connection closed after " + in.count + " bytes of answer");
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
        socket = null;
      }
    }
  }

  /** Buffered socket input that counts the bytes of the current answer. */
  static final class CountingInput extends BufferedInputStream {
    long count;

    CountingInput(InputStream in) {
      super(in, 16 * 1024);
    }

    @Override
    public synchronized int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
