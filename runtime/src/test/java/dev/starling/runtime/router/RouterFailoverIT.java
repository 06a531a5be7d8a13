package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.router.RouterWorld.Reply;
import dev.starling.runtime.router.RouterWorld.Router;
import dev.starling.runtime.testing.RuntimeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switching versions and losing one, under continuous load through a real router in front of real
 * runtime processes: a weight switch with config reloads and the old version stopped afterwards
 * loses no request; a version killed with SIGKILL loses only what was on it, answered fast with a
 * JSON 502/503; a backend that hangs is cut off at {@code proxy.requestTimeout} with a JSON 504.
 */
class RouterFailoverIT {
  @TempDir static Path dir; // JUnit deletes it, process logs included

  private static final int CLIENTS = 8;
  private static final int MAX_REQUESTS = 200_000;

  private static RouterWorld world;
  // stable stays up; retiring is switched away from and stopped; doomed is killed
  private static RuntimeProcess stable;
  private static RuntimeProcess retiring;
  private static RuntimeProcess doomed;
  private static Router router;

  @BeforeAll
  static void start() throws Exception {
    world = new RouterWorld(dir);
    List<RuntimeProcess> rs =
        world.runtimes(
            "v1", RouterWorld.iris(), "v2", RouterWorld.iris(), "v3", RouterWorld.iris());
    retiring = rs.get(0);
    stable = rs.get(1);
    doomed = rs.get(2);
    router = world.router(split("v1", retiring, 100, "v2", stable, 0));
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  private static String split(
      String a, RuntimeProcess pa, int wa, String b, RuntimeProcess pb, int wb) {
    return """
        proxy: {requestTimeout: 10s}
        versions:
          - {name: %s, weight: %d, endpoints: ['%s']}
          - {name: %s, weight: %d, endpoints: ['%s']}
        """
        .formatted(a, wa, pa.url(""), b, wb, pb.url(""));
  }

  @Test
  void weightSwitchUnderLoadAndRemovingTheOldVersionLoseNoRequest() throws Exception {
    router.reconfigure(split("v1", retiring, 100, "v2", stable, 0));
    router.awaitReady(retiring.url(""), stable.url(""));
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong allOnV2Since = new AtomicLong(Long.MAX_VALUE);
    CompletableFuture<List<Reply>> load =
        CompletableFuture.supplyAsync(
            () ->
                RouterWorld.load(
                    CLIENTS,
                    MAX_REQUESTS,
                    Duration.ofSeconds(20),
                    i -> router.infer(RouterWorld.IRIS_REQUEST),
                    done::get));
    RouterWorld.sleep(1_000);
    router.reconfigure(split("v1", retiring, 90, "v2", stable, 10));
    RouterWorld.sleep(1_000);
    router.reconfigure(split("v1", retiring, 50, "v2", stable, 50));
    RouterWorld.sleep(1_000);
    router.reconfigure(split("v1", retiring, 0, "v2", stable, 100));
    allOnV2Since.set(System.nanoTime());
    RouterWorld.sleep(1_000);
    retiring.terminate(); // SIGTERM: the old version drains and exits, as its Deployment is deleted
    assertThat(retiring.awaitExit(Duration.ofSeconds(30))).isEqualTo(0);
    RouterWorld.sleep(1_000);
    done.set(true);
    List<Reply> replies = load.get(90, TimeUnit.SECONDS);
    RouterWorld.log("switch: %d requests", replies.size());

    Map<Integer, Long> statuses =
        replies.stream().collect(Collectors.groupingBy(Reply::status, Collectors.counting()));
    assertThat(statuses).as("every request answered 200").containsOnlyKeys(200);
    Map<String, Long> by =
        replies.stream().collect(Collectors.groupingBy(Reply::servedBy, Collectors.counting()));
    assertThat(by.get("v1")).as("v1 served before the switch").isPositive();
    assertThat(by.get("v2")).as("v2 served after the switch").isPositive();
    assertThat(replies)
        .filteredOn(r -> r.startNanos() > allOnV2Since.get())
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.servedBy()).isEqualTo("v2"));
    assertThat(replies).allSatisfy(r -> assertThat(r.modelVersion()).isEqualTo(r.servedBy()));
  }

  @Test
  void aKilledVersionLosesOnlyRequestsOnItAndThoseFailFastWithJson() throws Exception {
    router.reconfigure(split("v2", stable, 50, "v3", doomed, 50));
    router.awaitReady(stable.url(""), doomed.url(""));
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    long settle = Duration.ofMillis(1_500).toNanos();
    CompletableFuture<List<Reply>> load =
        CompletableFuture.supplyAsync(
            () ->
                RouterWorld.load(
                    CLIENTS,
                    MAX_REQUESTS,
                    Duration.ofSeconds(30),
                    i -> router.infer(RouterWorld.IRIS_REQUEST),
                    () ->
                        killedAt.get() != Long.MAX_VALUE
                            && System.nanoTime() > killedAt.get() + 2 * settle));
    RouterWorld.sleep(1_500);
    ProcessHandle h = ProcessHandle.of(doomed.pid()).orElseThrow();
    h.destroyForcibly(); // SIGKILL: no draining, connections reset mid-request
    h.onExit().get(10, TimeUnit.SECONDS);
    killedAt.set(System.nanoTime());
    List<Reply> replies = load.get(90, TimeUnit.SECONDS);
    List<Reply> failed = replies.stream().filter(r -> r.status() != 200).toList();
    RouterWorld.log("kill: %d requests, %d failed", replies.size(), failed.size());

    assertThat(failed)
        .as("failures")
        .allSatisfy(
            r -> {
              assertThat(r.status()).as(r.body()).isIn(502, 503);
              assertThat(r.jsonError()).as(r.body()).isTrue();
              assertThat(r.routedTo()).isEqualTo("v3");
              assertThat(r.nanos()).as("answered fast").isLessThan(2_000_000_000L);
            });
    // at most CLIENTS requests are in flight at any moment; those on v3 when it died, plus any
    // sent on its connections before the router saw them break, are all that may fail
    assertThat(failed.size()).as("failed requests").isLessThanOrEqualTo(2 * CLIENTS);
    List<Reply> later =
        replies.stream().filter(r -> r.startNanos() > killedAt.get() + settle).toList();
    assertThat(later).as("requests after the router noticed").hasSizeGreaterThan(20);
    assertThat(later)
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(200);
              assertThat(r.servedBy()).isEqualTo("v2");
            });
    assertThat(replies.stream().filter(r -> "v3".equals(r.servedBy())).count())
        .as("v3 served before it died")
        .isPositive();
  }

  @Test
  void aRefusedConnectionIsSentOnceMoreToAnotherEndpointOfTheSameVersion() {
    // two endpoints for v2: the real runtime and a stand-in that passes its health check and is
    // then shut, so its port refuses connections before the next check notices
    TestingBackend gone = TestingBackend.start("v2").ready(true);
    router.reconfigure(
        """
        health: {interval: 30s}
        versions:
          - {name: v2, weight: 100, endpoints: ['%s', '%s']}
        """
            .formatted(gone.url(), stable.url("")));
    router.awaitReady(gone.url(), stable.url(""));
    RouterWorld.sleep(1_200); // the last check at the old 1 s interval; the next is 30 s away
    double retriesBefore = router.metric("starling_router_retries_total", "version=\"v2\"");
    gone.close();
    List<Reply> replies = RouterWorld.load(1, 20, i -> router.infer(RouterWorld.IRIS_REQUEST));
    assertThat(replies)
        .allSatisfy(
            r -> {
              assertThat(r.status()).as(r.body()).isEqualTo(200);
              assertThat(r.servedBy()).isEqualTo("v2");
            });
    assertThat(router.metric("starling_router_retries_total", "version=\"v2\"") - retriesBefore)
        .as("requests sent again after a refused connection")
        .isEqualTo(1);
    assertThat(gone.inferences()).isZero();
  }

  @Test
  void aBackendThatHangsIsCutOffWithA504NotAHang() {
    // a stand-in for a runtime stuck in an inference: it accepts the request and never answers in
    // time; a real runtime cannot be made to hang on cue
    try (TestingBackend stuck =
        TestingBackend.start("v9").ready(true).delay(Duration.ofSeconds(30))) {
      router.reconfigure(
          """
          proxy: {requestTimeout: 1s}
          versions:
            - {name: v9, weight: 100, endpoints: ['%s']}
          """
              .formatted(stuck.url()));
      router.awaitReady(stuck.url());
      Reply r = RouterWorld.send(router.infer(RouterWorld.IRIS_REQUEST));
      assertThat(r.status()).isEqualTo(504);
      assertThat(r.jsonError()).as(r.body()).isTrue();
      assertThat(r.routedTo()).isEqualTo("v9");
      assertThat(r.nanos()).isBetween(900_000_000L, 5_000_000_000L);
      assertThat(stuck.inferences()).as("sent once, never retried").isEqualTo(1);
    }
  }
}
