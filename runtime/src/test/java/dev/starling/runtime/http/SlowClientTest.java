package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clients that stall mid-request lose their connection and do not keep others waiting. */
class SlowClientTest {

  /**
   * 100 requests whose bodies stall after a few bytes, more than the server's 64 threads, and a
   * well-behaved client that comes right behind them: it is answered at once, while every stalled
   * request is still waiting for its body (none of them has been answered or closed yet when its
   * answer arrives); then each stalled one gets 408 and its connection is closed at the idle
   * timeout. Before the fast path read bodies without holding a thread, every thread sat in a
   * stalled read until the idle timeout, and the client behind them was answered only after the
   * stalled ones had been cut off (or its own connection idled out first, unanswered). Nothing here
   * races two timers: the order asserted is the good answer before the stalled requests' idle
   * timeout (10 s), which only a server taking 10 s for one iris request (its client's first
   * connection included) would miss.
   */
  @Test
  void stalledRequestsAreCutOffAndDoNotKeepOthersWaiting() throws Exception {
    RuntimeConfig cfg =
        new RuntimeConfig(
            ServerConfig.defaults().withIdleTimeout(Duration.ofSeconds(10)),
            null,
            null,
            null,
            null);
    try (TestingServer server = TestingServer.samples(cfg)) {
      List<Socket> stalled = new ArrayList<>();
      List<Socket> stalledHeads = new ArrayList<>();
      try {
        for (int i = 0; i < 100; i++) {
          Socket s = new Socket("127.0.0.1", server.port());
          OutputStream out = s.getOutputStream();
          // Headers promise 1000 bytes of body; only a few arrive, then nothing.
          out.write(
              ("POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 1000\r\n\r\n{\"inputs\":[")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          stalled.add(s);
        }
        for (int i = 0; i < 50; i++) {
          // Headers that never end: Jetty parses them without a handler thread.
          Socket s = new Socket("127.0.0.1", server.port());
          s.getOutputStream()
              .write(
                  "POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Type: appl"
                      .getBytes(StandardCharsets.US_ASCII));
          stalledHeads.add(s);
        }
        assertThat(
                server
                    .post("/v2/models/iris/infer", Samples.file("iris.request.json"))
                    .statusCode())
            .isEqualTo(200);
        for (Socket s : stalled) {
          assertThat(stillWaiting(s))
              .as("a stalled request was answered or closed before the well-behaved one")
              .isTrue();
        }
        for (Socket s : stalledHeads) {
          assertThat(stillWaiting(s))
              .as("a stalled header was answered or closed before the well-behaved request")
              .isTrue();
        }
        // Every stalled connection is answered 408 and closed by the server.
        for (Socket s : stalled) {
          assertThat(untilClosed(s))
              .startsWith("HTTP/1.1 408")
              .containsIgnoringCase("connection: close")
              .endsWith(
                  "{\"error\":\"request body did not arrive in time; the connection is closed\"}");
        }
        // Every stalled header is closed at the idle timeout too (with a 4xx or without a word).
        for (Socket s : stalledHeads) {
          String got = untilClosed(s);
          if (!got.isEmpty()) {
            assertThat(got).startsWith("HTTP/1.1 4").doesNotContain("Exception");
          }
        }
      } finally {
        for (Socket s : stalled) {
          s.close();
        }
        for (Socket s : stalledHeads) {
          s.close();
        }
      }
      assertThat(server.get("/v2/health/ready").statusCode()).isEqualTo(200);
      assertThat(server.models().get("iris").meters().inflight().get()).isZero();
    }
  }

  /** What the server sent before it closed the connection ("" when it reset it). */
  private static String untilClosed(Socket s) throws IOException {
    s.setSoTimeout(30_000);
    try {
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("a stalled connection was still open after 30 s");
    } catch (SocketException e) {
      return "";
    }
  }

  /** Open, and nothing has come back on it yet. */
  private static boolean stillWaiting(Socket s) throws IOException {
    s.setSoTimeout(1);
    try {
      s.getInputStream().read(); // an answer's first byte, or the end of a closed connection
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (SocketException e) {
      return false; // reset
    }
  }
}
