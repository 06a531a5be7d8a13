package dev.starling.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.config.ServerConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clients that stall mid-request lose their connection and do not keep others from service. */
class SlowClientTest {

  @Test
  void stalledRequestsAreCutOffAndOthersAreStillServed() throws Exception {
    RuntimeConfig cfg =
        new RuntimeConfig(
            ServerConfig.defaults().withIdleTimeout(Duration.ofSeconds(1)), null, null, null, null);
    try (TestingServer server = TestingServer.samples(cfg)) {
      List<Socket> stalled = new ArrayList<>();
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
        // 100 stalled requests are more than the server's threads (64): every thread now waits in a
        // body read until the idle timeout (1 s) cuts its client off. A well-behaved client that
        // comes in the meantime is served once they are cut off - as long as it has not itself
        // waited for a thread longer than the idle timeout (its connection would then idle out
        // unanswered: body reads hold a thread, see issue 5's note). It comes 0.5 s into the
        // stall, so the stalled connections time out about 0.5 s before its own could; sending it
        // right after the last stalled connect made the test a race between the two timeouts
        // (lost once on a quiet machine in session 6's CI).
        Thread.sleep(500);
        assertThat(
                server
                    .post("/v2/models/iris/infer", Samples.file("iris.request.json"))
                    .statusCode())
            .isEqualTo(200);
        // Every stalled connection is answered with an error or closed by the server.
        for (Socket s : stalled) {
          s.setSoTimeout(15_000);
          InputStream in = s.getInputStream();
          byte[] buf = new byte[4096];
          int n;
          StringBuilder got = new StringBuilder();
          try {
            while ((n = in.read(buf)) > 0) {
              got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
          } catch (SocketTimeoutException e) {
            throw new AssertionError("a stalled connection was still open after 15 s");
          } catch (java.net.SocketException e) {
            // reset by the server: closed, as required
          }
          if (!got.isEmpty()) {
            assertThat(got.toString()).startsWith("HTTP/1.1 4").doesNotContain("Exception");
          }
        }
      } finally {
        for (Socket s : stalled) {
          s.close();
        }
      }
      assertThat(server.get("/v2/health/ready").statusCode()).isEqualTo(200);
    }
  }
}
