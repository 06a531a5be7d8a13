package dev.starling.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.starling.runtime.config.DriftConfig;
import dev.starling.runtime.config.FeedbackConfig;
import dev.starling.runtime.config.RuntimeConfig;
import dev.starling.runtime.testing.Samples;
import dev.starling.runtime.testing.TestingServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new reference profile written over the mounted file takes effect without a restart: the window
 * starts over and the PSI compares live rows with the new reference; an unusable file is ignored.
 */
class ProfileReloadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aChangedProfileFileReplacesTheReferenceAndAnUnusableOneIsIgnored() throws Exception {
    Path csv = Samples.repoRoot().resolve("samples/models/fraud-reference.csv");
    List<String> lines = Files.readAllLines(csv);
    List<String> tripled = new ArrayList<>(List.of(lines.get(0)));
    List<ObjectNode> reference = new ArrayList<>();
    List<ObjectNode> shifted = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",");
      double amount = Double.parseDouble(c[0]);
      reference.add(row(amount, c));
      shifted.add(row(amount * 3, c));
      c[0] = Double.toString(amount * 3);
      tripled.add(String.join(",", c));
    }
    Path tripledCsv = Files.write(dir.resolve("tripled.csv"), tripled);
    Path original = profile(csv, "original.json");
    Path ofTripled = profile(tripledCsv, "tripled.json");
    Path mounted = dir.resolve("profile.json");
    Files.copy(original, mounted);

    RuntimeConfig cfg =
        new RuntimeConfig(null, null, null, null, null)
            .withDrift(
                new DriftConfig(
                    mounted.toString(),
                    "fraud",
                    1000,
                    new FeedbackConfig(false, null, null, null)));
    try (TestingServer server = TestingServer.samples(cfg)) {
      predict(server, shifted.subList(0, 1000));
      assertThat(psi(server, "amount"))
          .as("tripled amounts against the original")
          .isGreaterThan(0.5);

      replace(ofTripled, mounted);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> rows(server) == 0); // a new monitor: the window starts over
      predict(server, shifted.subList(0, 1000));
      assertThat(psi(server, "amount"))
          .as("tripled amounts against their own profile")
          .isLessThan(0.05);

      Files.writeString(dir.resolve("broken.json"), "{\"format\": \"something else\"}");
      replace(dir.resolve("broken.json"), mounted);
      Thread.sleep(3 * ProfileReloader.POLL_MILLIS); // polled at least once
      assertThat(rows(server)).as("the monitor in force stays").isEqualTo(1000);
      assertThat(psi(server, "amount")).isLessThan(0.05);
      assertThat(pollers()).as("the poller runs while the server does").isPositive();
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(pollers()).as("a stopped server stops polling").isZero());
  }

  private static long pollers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("drift-profile-reload"))
        .count();
  }

  private static ObjectNode row(double amount, String[] c) {
    ObjectNode row = JSON.createObjectNode();
    row.put("amount", amount);
    row.put("age", Integer.parseInt(c[1]));
    row.put("account_age_days", Double.parseDouble(c[2]));
    row.put("country", c[3]);
    row.put("foreign_ip", Boolean.parseBoolean(c[4]));
    return row;
  }

  private Path profile(Path csv, String name) {
    Path out = dir.resolve(name);
    DriftHttpTest.writeFraudProfile(csv, out);
    return out;
  }

  /** As the kubelet does it: the new content appears at once, never half-written. */
  private static void replace(Path from, Path to) throws Exception {
    Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
    Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void predict(TestingServer server, List<ObjectNode> rows) throws Exception {
    for (int from = 0; from < rows.size(); from += 100) {
      ObjectNode body = JSON.createObjectNode();
      body.putArray("instances").addAll(rows.subList(from, Math.min(rows.size(), from + 100)));
      HttpResponse<String> r = server.post("/v1/models/fraud:predict", body.toString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).get("predictions")).isInstanceOf(JsonNode.class);
    }
  }

  private static double psi(TestingServer server, String feature) throws Exception {
    return DriftHttpTest.featurePsi(server.get("/metrics").body(), feature);
  }

  private static double rows(TestingServer server) throws Exception {
    return DriftHttpTest.gauge(
        server.get("/metrics").body(), "starling_drift_window_rows", Map.of());
  }
}
