package dev.starling.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.starling.runtime.Main;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingCa;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Collections;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code https://} model sources behind a private CA: a real HTTPS server on loopback whose
 * certificate a CA made for this run issued. With the CA's PEM ({@code --ca-file}, what the
 * operator mounts from the user's ConfigMap) the download is trusted and its digest still checked;
 * without it, or with another CA, it is refused; a bad CA file fails closed, naming it.
 */
class CaBundleTest {
  private static final String ZEROS = "0".repeat(64);

  @TempDir static Path keys;

  private static HttpsServer server;
  private static Path caPem;
  private static String irisSha256;

  @TempDir Path dir;

  @BeforeAll
  static void startHttpsServer() throws Exception {
    TestingCa ca = TestingCa.create("Starling test model CA");
    caPem = ca.writePem(keys.resolve("ca.crt"));
    byte[] iris = Files.readAllBytes(Samples.model("iris"));
    irisSha256 = Digests.sha256(Samples.model("iris"));
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
    server.createContext("/models/iris.onnx", ex -> respond(ex, iris));
    server.start();
  }

  @AfterAll
  static void stopHttpsServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theCaFileMakesThePrivateServerTrusted() throws IOException {
    Path target = dir.resolve("model.onnx");

    Path got = ModelFetcher.trusting(caPem).fetch(url(), irisSha256, target);

    assertThat(got).isEqualTo(target);
    assertThat(Digests.sha256(target)).isEqualTo(irisSha256);
  }

  @Test
  void withoutTheCaFileThePrivateServerIsRefused() {
    assertThatThrownBy(() -> ModelFetcher.trusting(null).fetch(url(), irisSha256, model()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(url());
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void anotherCaDoesNotMakeItTrusted() throws IOException {
    Path other = TestingCa.create("Some other CA").writePem(dir.resolve("other.crt"));

    assertThatThrownBy(() -> ModelFetcher.trusting(other).fetch(url(), irisSha256, model()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(url());
    assertThat(model()).doesNotExist();
  }

  @Test
  void theDigestIsStillCheckedOverATrustedConnection() {
    assertThatThrownBy(() -> ModelFetcher.trusting(caPem).fetch(url(), ZEROS, model()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("digest mismatch")
        .hasMessageContaining(irisSha256);
    assertThat(model()).doesNotExist();
  }

  @Test
  void theCaFileIsAddedToTheJdksTrustNotInsteadOfIt() throws Exception {
    KeyStore store = CaBundle.trustStore(caPem);

    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    int jdk = ((X509TrustManager) tmf.getTrustManagers()[0]).getAcceptedIssuers().length;
    assertThat(jdk).isPositive();
    assertThat(store.size()).isEqualTo(jdk + 1);
    assertThat(Collections.list(store.aliases()))
        .anySatisfy(a -> assertThat(a).startsWith("ca-file-"));
  }

  @Test
  void anUnparsableCaFileFailsNamingIt() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.crt"), "-----BEGIN CERTIFICATE-----\nnope\n");

    assertThatThrownBy(() -> ModelFetcher.trusting(bad))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("not a PEM bundle");
  }

  @Test
  void anEmptyOrMissingCaFileFailsNamingIt() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty.crt"), "");
    Path missing = dir.resolve("missing.crt");

    assertThatThrownBy(() -> ModelFetcher.trusting(empty))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("no certificate");
    assertThatThrownBy(() -> ModelFetcher.trusting(missing))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void fetchCommandTakesTheCaFile() throws IOException {
    Path out = dir.resolve("models/model.onnx");

    int code =
        Main.commandLine()
            .execute(
                "fetch",
                "--uri",
                url(),
                "--sha256",
                irisSha256,
                "--ca-file",
                caPem.toString(),
                "--output",
                out.toString());

    assertThat(code).isZero();
    assertThat(Digests.sha256(out)).isEqualTo(irisSha256);
  }

  @Test
  void fetchCommandWithoutTheCaFileOrWithABadOneExitsOne() throws IOException {
    Path out = dir.resolve("model.onnx");
    Path bad = Files.writeString(dir.resolve("bad.crt"), "not a certificate\n");

    assertThat(Main.commandLine().execute("fetch", "--uri", url(), "--output", out.toString()))
        .isEqualTo(1);
    assertThat(
            Main.commandLine()
                .execute(
                    "fetch",
                    "--uri",
                    url(),
                    "--ca-file",
                    bad.toString(),
                    "--output",
                    out.toString()))
        .isEqualTo(1);
    assertThat(out).doesNotExist();
  }

  private Path model() {
    return dir.resolve("model.onnx");
  }

  private static String url() {
    return "https://127.0.0.1:" + server.getAddress().getPort() + "/models/iris.onnx";
  }

  private static void respond(HttpExchange ex, byte[] body) throws IOException {
    ex.getRequestBody().readAllBytes();
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    ex.close();
  }
}
