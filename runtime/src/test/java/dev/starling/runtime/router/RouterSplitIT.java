package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.router.RouterWorld.Reply;
import dev.starling.runtime.router.RouterWorld.Router;
import dev.starling.runtime.testing.RuntimeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weighted split, reload, sticky keys, pinning and readiness through a real router process in front
 * of two real runtime processes on loopback. Both serve model {@code m} (iris) as versions v1 and
 * v2, so every answer names its version twice: the router's {@code x-starling-served-by} header and
 * the runtime's own {@code model_version} in the body, which must agree.
 */
class RouterSplitIT {
  @TempDir static Path dir; // JUnit deletes it, process logs included

  private static final int CLIENTS = 8;
  private static final int REQUESTS = 10_000;

  private static RouterWorld world;
  private static RuntimeProcess v1;
  private static RuntimeProcess v2;
  private static Router router;

  @BeforeAll
  static void start() throws Exception {
    world = new RouterWorld(dir);
    List<RuntimeProcess> rs = world.runtimes("v1", RouterWorld.iris(), "v2", RouterWorld.iris());
    v1 = rs.get(0);
    v2 = rs.get(1);
    router = world.router(split(90, 10));
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  private static String split(int w1, int w2) {
    return """
        versions:
          - {name: v1, weight: %d, endpoints: ['%s']}
          - {name: v2, weight: %d, endpoints: ['%s']}
        pinHeader: x-starling-version
        sticky: {header: x-user-id}
        """
        .formatted(w1, v1.url(""), w2, v2.url(""));
  }

  /** Makes the router split v1/v2 by these weights, with both endpoints seen ready. */
  private static void use(int w1, int w2) {
    router.reconfigure(split(w1, w2));
    router.awaitReady(v1.url(""), v2.url(""));
  }

  /**
   * Sends {@code REQUESTS} unpinned, keyless requests; answers by version (all must be 200). The
   * load's time bound is generous (3 min; ~20 s on an idle machine): on a machine at load ~40 the
   * default 60 s ended the load after 6,665 of 10,000 requests.
   */
  private static Map<String, Long> sendSplit() {
    List<Reply> replies =
        RouterWorld.load(
            CLIENTS,
            REQUESTS,
            Duration.ofMinutes(3),
            i -> router.infer(RouterWorld.IRIS_REQUEST),
            () -> false);
    assertThat(replies).hasSize(REQUESTS);
    for (Reply r : replies) {
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.modelVersion()).as("body agrees with header").isEqualTo(r.servedBy());
    }
    Map<String, Long> by =
        replies.stream().collect(Collectors.groupingBy(Reply::servedBy, Collectors.counting()));
    RouterWorld.log("split: %s", by);
    return by;
  }

  @Test
  void tenPercentCanaryGetsTenPercentOfRequests() {
    use(90, 10);
    Map<String, Long> by = sendSplit();
    double canary = 100.0 * by.getOrDefault("v2", 0L) / REQUESTS;
    assertThat(canary).as("canary share %s", by).isBetween(9.0, 11.0);
  }

  @Test
  void fiftyFiftySplitsEvenly() {
    use(50, 50);
    Map<String, Long> by = sendSplit();
    double v2share = 100.0 * by.getOrDefault("v2", 0L) / REQUESTS;
    assertThat(v2share).as("v2 share %s", by).isBetween(48.5, 51.5);
  }

  @Test
  void canarySetToZeroByReloadGetsNoneOfTheNextTenThousand() {
    use(90, 10);
    assertThat(sendSplit().getOrDefault("v2", 0L)).isPositive();
    use(100, 0);
    Map<String, Long> by = sendSplit();
    assertThat(by).containsOnlyKeys("v1");
    assertThat(by.get("v1")).isEqualTo(REQUESTS);
  }

  @Test
  void stickyKeysNeverChangeVersionWhileWeightsHold() {
    use(90, 10);
    int keys = 500;
    int rounds = 4;
    List<Reply> replies =
        RouterWorld.load(
            CLIENTS,
            keys * rounds,
            i -> router.infer(RouterWorld.IRIS_REQUEST, "x-user-id", "user-" + (i % keys)));
    Map<String, String> assigned = assignments(replies, keys, rounds);
    long onCanary = assigned.values().stream().filter("v2"::equals).count();
    assertThat(onCanary).as("keys on the canary").isBetween(25L, 80L); // ~50 of 500 at 10 %

    // weights move 90/10 -> 80/20: keys only move onto the canary, about 10 % of them
    use(80, 20);
    List<Reply> after =
        RouterWorld.load(
            CLIENTS,
            keys * rounds,
            i -> router.infer(RouterWorld.IRIS_REQUEST, "x-user-id", "user-" + (i % keys)));
    Map<String, String> reassigned = assignments(after, keys, rounds);
    int moved = 0;
    for (Map.Entry<String, String> e : assigned.entrySet()) {
      String now = reassigned.get(e.getKey());
      if (!now.equals(e.getValue())) {
        moved++;
        assertThat(e.getValue() + "->" + now).as(e.getKey()).isEqualTo("v1->v2");
      }
    }
    assertThat(moved).as("keys moved by a 10-point weight change").isBetween(25, 80);
  }

  /** Every key's version, asserting each key saw exactly one version in every round. */
  private static Map<String, String> assignments(List<Reply> replies, int keys, int rounds) {
    assertThat(replies).hasSize(keys * rounds);
    Map<String, String> byKey = new HashMap<>();
    for (Reply r : replies) {
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.modelVersion()).isEqualTo(r.servedBy());
      String key = "user-" + (r.index() % keys);
      String first = byKey.putIfAbsent(key, r.servedBy());
      if (first != null) {
        assertThat(r.servedBy()).as("version of %s", key).isEqualTo(first);
      }
    }
    assertThat(byKey).hasSize(keys);
    return byKey;
  }

  @Test
  void pinHeaderSelectsAVersionEvenAtWeightZeroAndAnUnknownOneIs404() {
    use(100, 0);
    List<Reply> pinned =
        RouterWorld.load(
            CLIENTS, 200, i -> router.infer(RouterWorld.IRIS_REQUEST, "x-starling-version", "v2"));
    assertThat(pinned).allSatisfy(r -> assertThat(r.servedBy()).isEqualTo("v2"));
    assertThat(pinned).allSatisfy(r -> assertThat(r.modelVersion()).isEqualTo("v2"));
    Reply unknown =
        RouterWorld.send(router.infer(RouterWorld.IRIS_REQUEST, "x-starling-version", "v9"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.jsonError()).as(unknown.body()).isTrue();
    assertThat(unknown.body()).contains("v9");
  }

  @Test
  void kserveV1AndMetadataRequestsAreRoutedAndRouterEndpointsAnsweredLocally() {
    use(0, 100);
    RouterWorld.Call v1Predict =
        new RouterWorld.Call(
            router.process.port(), "/v1/models/m:predict", "{\"instances\":[[5.1,3.5,1.4,0.2]]}");
    Reply predicted = RouterWorld.send(v1Predict);
    assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
    assertThat(predicted.servedBy()).isEqualTo("v2");
    assertThat(predicted.body()).startsWith("{\"predictions\":");
    Reply metadata =
        RouterWorld.send(new RouterWorld.Call(router.process.port(), "/v2/models/m", null));
    assertThat(metadata.status()).isEqualTo(200);
    assertThat(metadata.servedBy()).isEqualTo("v2");
    assertThat(metadata.body()).contains("\"versions\":[\"v2\"]");
    Reply ready =
        RouterWorld.send(new RouterWorld.Call(router.process.port(), "/v2/health/ready", null));
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.servedBy()).as("answered by the router itself").isNull();
    Reply unknown = RouterWorld.send(new RouterWorld.Call(router.process.port(), "/v3/x", null));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.jsonError()).isTrue();
  }

  @Test
  void aVersionThatIsNotReadyGetsNoTrafficUntilItIsReady() {
    // a stand-in for a version that is up but not ready: it would answer inferences, so any
    // request the router sent there would show up in its count and its served-by header
    try (TestingBackend v3 = TestingBackend.start("v3").ready(false)) {
      String yaml =
          """
          versions:
            - {name: v1, weight: 50, endpoints: ['%s']}
            - {name: v3, weight: 50, endpoints: ['%s']}
          pinHeader: x-starling-version
          """
              .formatted(v1.url(""), v3.url());
      router.reconfigure(yaml);
      List<Reply> replies =
          RouterWorld.load(CLIENTS, 2_000, i -> router.infer(RouterWorld.IRIS_REQUEST));
      assertThat(replies).allSatisfy(r -> assertThat(r.servedBy()).isEqualTo("v1"));
      assertThat(v3.inferences()).isZero();
      Reply pinned =
          RouterWorld.send(router.infer(RouterWorld.IRIS_REQUEST, "x-starling-version", "v3"));
      assertThat(pinned.status()).isEqualTo(503);
      assertThat(pinned.jsonError()).as(pinned.body()).isTrue();

      v3.ready(true); // the health checker notices within health.interval (1 s)
      router.awaitStatus("\"url\":\"" + v3.url() + "\",\"ready\":true");
      Map<String, Long> by =
          RouterWorld.load(CLIENTS, 200, i -> router.infer(RouterWorld.IRIS_REQUEST)).stream()
              .collect(Collectors.groupingBy(Reply::servedBy, Collectors.counting()));
      assertThat(by.get("v3")).isEqualTo(100L);
      assertThat(v3.inferences()).isEqualTo(100);
    }
  }
}
