package dev.starling.runtime.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Resolves a model source to a local file and checks its digest: {@code https://} URLs are
 * downloaded (to a temporary file first, moved into place only once the digest matched), {@code
 * file://} URIs and plain paths are read where they are. Fails closed: a digest mismatch or a
 * failed download names the source and both digests. The operator's init container runs the same
 * code through the {@code fetch} command.
 */
public final class ModelFetcher {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final HttpClient http;

  public ModelFetcher() {
    this(client().build());
  }

  public ModelFetcher(HttpClient http) {
    this.http = http;
  }

  /**
   * A fetcher whose {@code https://} downloads also trust the CA certificates in {@code caFile}
   * (PEM), beside the JDK's own; with {@code caFile} null, the default fetcher. A missing or
   * unparsable file fails here, naming it.
   */
  public static ModelFetcher trusting(Path caFile) {
    if (caFile == null) {
      return new ModelFetcher();
    }
    return new ModelFetcher(client().sslContext(CaBundle.withDefaults(caFile)).build());
  }

  private static HttpClient.Builder client() {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(20));
  }

  /** A verified local copy of {@code uri}; downloads go to {@code downloadTo} (or a temp file). */
  public Path fetch(String uri, String expectedSha256, Path downloadTo) {
    if (uri.startsWith("https://")) {
      Path target = downloadTo != null ? downloadTo : tempTarget(uri);
      try {
        download(uri, expectedSha256, target);
      } catch (RuntimeException e) {
        if (downloadTo == null) {
          deleteQuietly(target); // our own temp file: a failed fetch leaves nothing behind
        }
        throw e;
      }
      return target;
    }
    if (uri.startsWith("http://")) {
      throw new ModelLoadException("refusing plain http model source " + uri + "; use https://");
    }
    Path file = localPath(uri);
    verifyLocal(uri, file, expectedSha256);
    if (downloadTo != null && !downloadTo.equals(file)) {
      try {
        Files.createDirectories(downloadTo.toAbsolutePath().getParent());
        Files.copy(file, downloadTo, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new ModelLoadException("cannot copy " + file + " to " + downloadTo + ": " + e, e);
      }
      return downloadTo;
    }
    return file;
  }

  public static Path localPath(String uri) {
    if (uri.startsWith("file://")) {
      return Path.of(URI.create(uri));
    }
    if (uri.contains("://")) {
      throw new ModelLoadException(
          "unsupported model source " + uri + " (use https://, file:// or a path)");
    }
    return Path.of(uri);
  }

  private static void verifyLocal(String uri, Path file, String expected) {
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("model file " + file + " (from " + uri + ") does not exist");
    }
    if (expected == null) {
      return;
    }
    try {
      String actual = Digests.sha256(file);
      if (!actual.equalsIgnoreCase(expected)) {
        throw mismatch(uri, expected, actual);
      }
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model file " + file + ": " + e.getMessage(), e);
    }
  }

  private void download(String uri, String expected, Path target) {
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
      HttpRequest req = HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT).GET().build();
      HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      if (res.statusCode() != 200) {
        res.body().close();
        throw new ModelLoadException("download of " + uri + " failed: HTTP " + res.statusCode());
      }
      MessageDigest md = Digests.sha256();
      try (InputStream in = res.body();
          OutputStream out = Files.newOutputStream(partial)) {
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (expected != null && !actual.equalsIgnoreCase(expected)) {
        throw mismatch(uri, expected, actual);
      }
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ModelLoadException("download of " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelLoadException("download of " + uri + " was interrupted", e);
    } finally {
      deleteQuietly(partial); // a stale .partial file is overwritten by the next attempt
    }
  }

  private static ModelLoadException mismatch(String uri, String expected, String actual) {
    return new ModelLoadException(
        "digest mismatch for "
            + uri
            + ": expected sha256 "
            + expected.toLowerCase()
            + " but the file has "
            + actual);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static Path tempTarget(String uri) {
    try {
      return Files.createTempFile("starling-model-", ".onnx");
    } catch (IOException e) {
      throw new ModelLoadException("cannot create a temporary file for " + uri + ": " + e, e);
    }
  }
}
