package dev.starling.runtime.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of a class-data-sharing training run ({@code serve --cds-training DIR}): once the
 * server is ready, it calls itself over loopback the way clients will — {@code GET /v2}, each
 * model's metadata, {@code NAME.request.json} from DIR POSTed to each served model NAME that has
 * one, {@code /metrics} and {@code /openapi.json} — so that a JVM started with {@code
 * -XX:DumpLoadedClassList} or {@code -XX:ArchiveClassesAtExit} sees the classes serving loads, with
 * no shell or HTTP client needed (an image build runs it in the image's own JVM).
 */
final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path requests;

  TrainingRun(Path requests) {
    this.requests = requests;
  }

  /**
   * Sends the requests to {@code base} one after another; answers the problems (an answer other
   * than 200, a failed call), empty when every answer was 200. A model without a request file gets
   * only its metadata call.
   */
  List<String> run(URI base, Set<String> models) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    List<String> problems = new ArrayList<>();
    List<HttpRequest> all = new ArrayList<>();
    all.add(get(base, "/v2"));
    for (String m : models.stream().sorted().toList()) {
      all.add(get(base, "/v2/models/" + m));
      Path body = requests.resolve(m + ".request.json");
      if (Files.isRegularFile(body)) {
        all.add(
            HttpRequest.newBuilder(base.resolve("/v2/models/" + m + "/infer"))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(read(body)))
                .build());
      }
    }
    all.add(get(base, "/metrics"));
    all.add(get(base, "/openapi.json"));
    for (HttpRequest r : all) {
      try {
        HttpResponse<String> a = client.send(r, HttpResponse.BodyHandlers.ofString());
        if (a.statusCode() != 200) {
          problems.add(r.method() + " " + r.uri().getPath() + " answered " + a.statusCode());
        }
      } catch (IOException e) {
        problems.add(r.method() + " " + r.uri().getPath() + " failed: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problems.add("interrupted");
        break;
      }
    }
    LOG.info("training run: {} request(s), {} problem(s)", all.size(), problems.size());
    return problems;
  }

  private static HttpRequest get(URI base, String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build();
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
