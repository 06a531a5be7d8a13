package dev.starling.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.starling.runtime.testing.Samples;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher against a real HTTPS server on loopback (self-signed certificate made by keytool for
 * this run, trusted only by the test's client) and against local files.
 */
class ModelFetcherTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final String ZEROS = "0".repeat(64);

  @TempDir static Path keys;

  private static HttpsServer server;
  private static ModelFetcher fetcher;
  private static byte[] mlp;
  private static String mlpSha256;

  @TempDir Path dir;

  @BeforeAll
  static void startHttpsServer() throws Exception {
    Path mlpFile = Samples.model("mlp");
    mlp = Files.readAllBytes(mlpFile);
    mlpSha256 = Digests.sha256(mlpFile);
    KeyStore store = selfSignedKeyStore(keys.resolve("server.p12"));

    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);

    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.createContext("/models/mlp.onnx", ex -> respond(ex, 200, mlp));
    server.createContext("/missing.onnx", ex -> respond(ex, 404, "not here".getBytes()));
    server.start();

    // The client trusts exactly the server's certificate, nothing from the JDK's cacerts.
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    Certificate cert = store.getCertificate("server");
    trust.setCertificateEntry("server", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);
    fetcher =
        new ModelFetcher(
            HttpClient.newBuilder()
                .sslContext(clientTls)
                .connectTimeout(Duration.ofSeconds(10))
                .build());
  }

  @AfterAll
  static void stopHttpsServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void httpsDownloadMatchingDigestIsMovedIntoPlace() throws IOException {
    Path target = dir.resolve("sub/model.onnx");

    Path got = fetcher.fetch(url("/models/mlp.onnx"), mlpSha256, target);

    assertThat(got).isEqualTo(target);
    assertThat(Digests.sha256(target)).isEqualTo(mlpSha256);
    assertThat(Files.readAllBytes(target)).isEqualTo(mlp);
    assertThat(partialOf(target)).doesNotExist();
  }

  @Test
  void httpsDigestIsComparedIgnoringCase() throws IOException {
    Path target = dir.resolve("model.onnx");

    fetcher.fetch(url("/models/mlp.onnx"), mlpSha256.toUpperCase(), target);

    assertThat(Digests.sha256(target)).isEqualTo(mlpSha256);
  }

  @Test
  void httpsDigestMismatchNamesUrlAndBothDigestsAndLeavesNoFile() {
    Path target = dir.resolve("model.onnx");
    String uri = url("/models/mlp.onnx");

    assertThatThrownBy(() -> fetcher.fetch(uri, ZEROS, target))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(uri)
        .hasMessageContaining(ZEROS)
        .hasMessageContaining(mlpSha256);
    assertThat(target).doesNotExist();
    assertThat(partialOf(target)).doesNotExist();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void httpsMismatchWithoutTargetLeavesNoTemporaryFile() throws IOException {
    // With no --output the fetcher downloads to a temp file of its own; a failure must not leave
    // it (nor its .partial) behind in java.io.tmpdir.
    List<Path> before = tempModels();

    assertThatThrownBy(() -> fetcher.fetch(url("/models/mlp.onnx"), ZEROS, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("digest mismatch");

    assertThat(tempModels()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void httpsWithoutTargetDownloadsToATemporaryFile() throws IOException {
    Path got = fetcher.fetch(url("/models/mlp.onnx"), mlpSha256, null);
    try {
      assertThat(Digests.sha256(got)).isEqualTo(mlpSha256);
    } finally {
      Files.deleteIfExists(got);
    }
  }

  @Test
  void http404NamesUrlAndStatusAndLeavesNoFile() {
    Path target = dir.resolve("model.onnx");
    String uri = url("/missing.onnx");

    assertThatThrownBy(() -> fetcher.fetch(uri, ZEROS, target))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(uri)
        .hasMessageContaining("HTTP 404");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void untrustedCertificateFailsNamingTheUrl() {
    // The default client trusts only the JDK's CAs, not this test's self-signed certificate.
    String uri = url("/models/mlp.onnx");

    assertThatThrownBy(() -> new ModelFetcher().fetch(uri, mlpSha256, dir.resolve("m.onnx")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(uri);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void plainHttpIsRefused() {
    String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/mlp.onnx";

    assertThatThrownBy(() -> fetcher.fetch(uri, mlpSha256, dir.resolve("m.onnx")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(uri)
        .hasMessageContaining("https://");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void otherSchemesAreRefused() {
    assertThatThrownBy(() -> fetcher.fetch("s3://bucket/m.onnx", null, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("s3://bucket/m.onnx");
  }

  @Test
  void fileUriWithMatchingDigestIsReadInPlace() {
    Path model = Samples.model("mlp");

    Path got = fetcher.fetch(model.toUri().toString(), mlpSha256, null);

    assertThat(got).isEqualTo(model);
  }

  @Test
  void fileUriIsCopiedToTheTargetWhenOneIsGiven() throws IOException {
    Path target = dir.resolve("out/model.onnx");

    Path got = fetcher.fetch(Samples.model("mlp").toUri().toString(), mlpSha256, target);

    assertThat(got).isEqualTo(target);
    assertThat(Digests.sha256(target)).isEqualTo(mlpSha256);
  }

  @Test
  void fileUriDigestMismatchNamesUriAndBothDigests() {
    String uri = Samples.model("mlp").toUri().toString();
    Path target = dir.resolve("model.onnx");

    assertThatThrownBy(() -> fetcher.fetch(uri, ZEROS, target))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(uri)
        .hasMessageContaining(ZEROS)
        .hasMessageContaining(mlpSha256);
    assertThat(target).doesNotExist();
  }

  @Test
  void plainPathWithMatchingDigestIsReadInPlace() {
    String path = Samples.model("mlp").toString();

    assertThat(fetcher.fetch(path, mlpSha256, null)).isEqualTo(Path.of(path));
  }

  @Test
  void plainPathWithoutDigestIsAccepted() {
    String path = Samples.model("iris").toString();

    assertThat(fetcher.fetch(path, null, null)).isEqualTo(Path.of(path));
  }

  @Test
  void plainPathDigestMismatchNamesPathAndBothDigests() {
    String path = Samples.model("mlp").toString();

    assertThatThrownBy(() -> fetcher.fetch(path, ZEROS, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(path)
        .hasMessageContaining(ZEROS)
        .hasMessageContaining(mlpSha256);
  }

  @Test
  void missingFileNamesThePath() {
    Path missing = dir.resolve("nope.onnx");

    assertThatThrownBy(() -> fetcher.fetch(missing.toString(), ZEROS, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> fetcher.fetch(missing.toUri().toString(), null, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(missing.toString());
  }

  private static String url(String path) {
    return "https://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static Path partialOf(Path target) {
    return target.resolveSibling(target.getFileName() + ".partial");
  }

  private static List<Path> tempModels() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("starling-model-")).toList();
    }
  }

  private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      in.readAllBytes();
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    ex.close();
  }

  /** An EC key pair with a certificate for 127.0.0.1, made by the JDK's keytool. */
  private static KeyStore selfSignedKeyStore(Path file) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, PASSWORD);
    }
    return ks;
  }
}
