package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.router.RouterWorld.Reply;
import dev.starling.runtime.router.RouterWorld.Router;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version whose endpoint is a host name (a headless Service in a cluster) through a real router
 * process: the name is resolved to all its addresses and traffic is balanced over them; a changed
 * answer moves traffic with every request answered; no address at all is a JSON 503; and when every
 * health check times out at once the router keeps routing (panic mode) instead of answering 503.
 *
 * <p>The name lives in a hosts file the router process reads through {@code -Djdk.net.hosts.file}
 * (re-read on every lookup), so the test needs no DNS server: {@code pods.test} stands for two
 * stand-in backends on 127.0.0.1 and 127.0.0.2, same port. The router's own re-resolution and its
 * JVM address cache being off are what is tested: with the JVM's default 30 s cache, the answer
 * changes below would not be seen within the tests' 20 s waits.
 */
class RouterDiscoveryIT {
  @TempDir static Path dir;

  private static final String NAME = "pods.test";

  private static RouterWorld world;
  private static TestingBackend a;
  private static TestingBackend b;
  private static Path hosts;
  private static Router router;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    world = new RouterWorld(dir);
    a = TestingBackend.start("a", InetAddress.getByName("127.0.0.1"), 0).ready(true);
    b = TestingBackend.start("b", InetAddress.getByName("127.0.0.2"), a.port()).ready(true);
    hosts = dir.resolve("hosts");
    answer("127.0.0.1", "127.0.0.2");
    url = "http://" + NAME + ":" + a.port();
    router =
        world.router(
            """
            resolveInterval: 200ms
            health: {interval: 200ms, timeout: 300ms, failureThreshold: 2}
            versions:
              - {name: v1, weight: 100, endpoints: ['%s']}
            """
                .formatted(url),
            List.of("-Djdk.net.hosts.file=" + hosts));
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  /** Makes {@code pods.test} resolve to {@code addresses} (none: no such name). */
  private static void answer(String... addresses) {
    StringBuilder text = new StringBuilder("# RouterDiscoveryIT\n");
    for (String address : addresses) {
      text.append(address).append(' ').append(NAME).append('\n');
    }
    RouterWorld.write(hosts, text.toString());
  }

  private static void awaitBothReady() {
    answer("127.0.0.1", "127.0.0.2");
    router.awaitStatus("\"address\":\"127.0.0.1\",\"ready\":true");
    router.awaitStatus("\"address\":\"127.0.0.2\",\"ready\":true");
  }

  private static Map<String, Long> servedBy(List<Reply> replies) {
    return replies.stream()
        .collect(
            Collectors.groupingBy(r -> r.status() + " " + r.modelVersion(), Collectors.counting()));
  }

  @Test
  void aNameIsBalancedOverAllItsAddressesWithTheNameAsHost() {
    awaitBothReady();
    List<Reply> replies = RouterWorld.load(1, 200, i -> router.infer(RouterWorld.IRIS_REQUEST));
    Map<String, Long> by = servedBy(replies);
    assertThat(by.keySet()).containsExactlyInAnyOrder("200 a", "200 b");
    assertThat(by.get("200 a")).isBetween(80L, 120L);
    assertThat(a.lastHost()).isEqualTo(NAME + ":" + a.port());
    assertThat(b.lastHost()).isEqualTo(NAME + ":" + a.port());
  }

  @Test
  void anAddressLeavingTheAnswerLosesItsTrafficWithEveryRequestAnswered() throws Exception {
    awaitBothReady();
    a.delay(Duration.ofMillis(20));
    b.delay(Duration.ofMillis(20)); // so requests are in flight on b when it leaves
    try {
      AtomicBoolean done = new AtomicBoolean();
      CompletableFuture<List<Reply>> load =
          CompletableFuture.supplyAsync(
              () ->
                  RouterWorld.load(
                      4,
                      100_000,
                      Duration.ofSeconds(60),
                      i -> router.infer(RouterWorld.IRIS_REQUEST),
                      done::get));
      RouterWorld.sleep(1_000);
      answer("127.0.0.1");
      router.awaitStatus("\"address\":\"127.0.0.1\",\"ready\":true}]");
      RouterWorld.sleep(300); // requests already on b finish
      int onB = b.inferences();
      RouterWorld.sleep(1_000);
      assertThat(b.inferences()).as("no new request reaches the address that left").isEqualTo(onB);
      answer("127.0.0.1", "127.0.0.2");
      router.awaitStatus("\"address\":\"127.0.0.2\",\"ready\":true");
      RouterWorld.sleep(1_000);
      assertThat(b.inferences()).as("the address is back in the answer").isGreaterThan(onB);
      done.set(true);
      List<Reply> replies = load.get();
      assertThat(replies).hasSizeGreaterThan(100);
      assertThat(servedBy(replies).keySet())
          .as(
              () ->
                  "every request answered by a or b: "
                      + servedBy(replies)
                      + replies.stream()
                          .filter(r -> r.status() != 200)
                          .limit(3)
                          .map(r -> "\n" + r)
                          .collect(Collectors.joining())
                      + "\nrouter log:\n"
                      + router.process.log())
          .containsExactlyInAnyOrder("200 a", "200 b");
    } finally {
      a.delay(Duration.ZERO);
      b.delay(Duration.ZERO);
    }
  }

  @Test
  void aNameWithNoAddressLeavesTheVersionNotReadyWithAJson503() {
    awaitBothReady();
    answer();
    try {
      router.awaitStatus("\"serving\":false");
      Reply r = RouterWorld.send(router.infer(RouterWorld.IRIS_REQUEST));
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.jsonError()).isTrue();
      assertThat(
              RouterWorld.send(
                      new RouterWorld.Call(router.process.port(), "/v2/health/ready", null))
                  .status())
          .isEqualTo(503);
    } finally {
      awaitBothReady();
    }
  }

  @Test
  void whenEveryHealthCheckTimesOutTheRouterKeepsRoutingInPanicMode() {
    awaitBothReady();
    a.healthDelay(Duration.ofSeconds(1));
    b.healthDelay(Duration.ofSeconds(1));
    try {
      router.awaitStatus("\"panic\":true");
      assertThat(router.status()).doesNotContain("\"ready\":true");
      assertThat(router.metric("starling_router_panic", "")).isEqualTo(1.0);
      List<Reply> replies = RouterWorld.load(2, 40, i -> router.infer(RouterWorld.IRIS_REQUEST));
      assertThat(replies)
          .extracting(Reply::status)
          .as("answered by the timed-out endpoints, not 503")
          .containsOnly(200);
    } finally {
      a.healthDelay(Duration.ZERO);
      b.healthDelay(Duration.ZERO);
    }
    router.awaitStatus("\"panic\":false");
    awaitBothReady();
    assertThat(router.metric("starling_router_panic", "")).isZero();
  }
}
