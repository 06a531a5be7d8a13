package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.starling.runtime.router.RouterWorld.Call;
import dev.starling.runtime.router.RouterWorld.Reply;
import dev.starling.runtime.router.RouterWorld.Router;
import dev.starling.runtime.testing.RuntimeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow traffic through a real router: the live version is the real runtime serving iris; the
 * shadow is either a real runtime serving a different iris classifier ({@link IrisRuleModel}),
 * whose disagreements on a fixed input set are counted from direct calls first, or a stand-in that
 * is slow or fails on purpose.
 */
class RouterMirrorIT {
  @TempDir static Path dir; // JUnit deletes it, process logs included

  private static final Pattern LABEL = Pattern.compile("\"name\":\"label\".*?\"data\":\\[(\\d+)");

  private static RouterWorld world;
  private static RuntimeProcess live;
  private static RuntimeProcess shadow;
  private static Router router;

  @BeforeAll
  static void start() throws Exception {
    world = new RouterWorld(dir);
    String rule = IrisRuleModel.write(dir.resolve("iris-rule.onnx")).toString();
    List<RuntimeProcess> rs = world.runtimes("v1", RouterWorld.iris(), "v2", rule);
    live = rs.get(0);
    shadow = rs.get(1);
    router = world.router(config(100, "v2", shadow.url(""), 1000));
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  /** v1 takes all live traffic; {@code shadowName} (weight 0) at {@code url} gets the copies. */
  private static String config(int percent, String shadowName, String url, int maxInflight) {
    return """
        versions:
          - {name: v1, weight: 100, endpoints: ['%s']}
          - {name: %s, weight: 0, endpoints: ['%s']}
        mirror: {version: %s, percent: %d, maxInflight: %d}
        """
        .formatted(live.url(""), shadowName, url, shadowName, percent, maxInflight);
  }

  /** 120 flowers with petal length 1.0 .. 6.95 cm, the other measurements following it. */
  private static List<String> inputs() {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      double pl = 1.0 + i * 0.05;
      double pw = Math.max(0.1, Math.round((0.42 * pl - 0.35) * 100) / 100.0);
      rows.add(RouterWorld.irisRow(5.8, 3.0, Math.round(pl * 100) / 100.0, pw));
    }
    return rows;
  }

  private static String label(String body) {
    Matcher m = LABEL.matcher(body);
    assertThat(m.find()).as(body).isTrue();
    return m.group(1);
  }

  private static Reply direct(RuntimeProcess p, String body) {
    return RouterWorld.send(new Call(p.port(), "/v2/models/m/infer", body));
  }

  @Test
  void agreementMetricsCountTheShareOfInputsTheShadowAnswersDifferently() {
    router.reconfigure(config(100, "v2", shadow.url(""), 1000));
    router.awaitReady(live.url(""), shadow.url(""));
    List<String> inputs = inputs();
    int disagree = 0;
    List<String> liveAnswers = new ArrayList<>();
    for (String in : inputs) {
      Reply l = direct(live, in);
      Reply s = direct(shadow, in);
      liveAnswers.add(l.body());
      if (!label(l.body()).equals(label(s.body()))) {
        disagree++;
      }
    }
    int agree = inputs.size() - disagree;
    assertThat(disagree).as("the shadow must disagree on some inputs").isBetween(3, 60);
    RouterWorld.log("mirror: the shadow disagrees on %d of %d inputs", disagree, inputs.size());

    String pair = "live=\"v1\",shadow=\"v2\"";
    double agreeBefore =
        router.metric("starling_router_mirror_agreement_total", pair + ",result=\"agree\"");
    double disagreeBefore =
        router.metric("starling_router_mirror_agreement_total", pair + ",result=\"disagree\"");
    double diffsBefore = router.metric("starling_router_mirror_abs_diff_count", pair);
    for (int i = 0; i < inputs.size(); i++) {
      Reply r = RouterWorld.send(router.infer(inputs.get(i)));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.servedBy()).isEqualTo("v1");
      assertThat(r.body()).as("the live answer, untouched").isEqualTo(liveAnswers.get(i));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (router.metric("starling_router_mirror_abs_diff_count", pair) - diffsBefore
            < inputs.size()
        && System.nanoTime() < deadline) {
      RouterWorld.sleep(50);
    }
    assertThat(
            router.metric("starling_router_mirror_agreement_total", pair + ",result=\"agree\"")
                - agreeBefore)
        .isEqualTo(agree);
    assertThat(
            router.metric("starling_router_mirror_agreement_total", pair + ",result=\"disagree\"")
                - disagreeBefore)
        .isEqualTo(disagree);
    assertThat(router.metric("starling_router_mirror_dropped_total", "shadow=\"v2\""))
        .as("copies dropped")
        .isZero();
    assertThat(router.metric("starling_router_mirror_abs_diff_count", pair) - diffsBefore)
        .isEqualTo(inputs.size());
    assertThat(router.metric("starling_router_mirror_abs_diff_max", pair)).isPositive();
  }

  @Test
  void differenceHistogramsCountSmallDifferencesInTheirOwnBuckets() {
    // every row: live [0.6, 0.3, 0.1], shadow [0.57, 0.3, 0.13]; same class (agree), largest
    // absolute difference 0.03, largest relative 0.03 / 0.13 = 0.23
    List<RuntimeProcess> rs =
        world.runtimes(
            "c1",
            IrisRuleModel.constant(dir.resolve("c1.onnx"), 0.6f, 0.3f, 0.1f).toString(),
            "c2",
            IrisRuleModel.constant(dir.resolve("c2.onnx"), 0.57f, 0.3f, 0.13f).toString());
    router.reconfigure(
        """
        versions:
          - {name: a, weight: 100, endpoints: ['%s']}
          - {name: b, weight: 0, endpoints: ['%s']}
        mirror: {version: b, percent: 100}
        """
            .formatted(rs.get(0).url(""), rs.get(1).url("")));
    router.awaitReady(rs.get(0).url(""), rs.get(1).url(""));
    String pair = "live=\"a\",shadow=\"b\"";
    int n = 40;
    for (int i = 0; i < n; i++) {
      Reply r = RouterWorld.send(router.infer(RouterWorld.IRIS_REQUEST));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.servedBy()).isEqualTo("a");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (router.metric("starling_router_mirror_abs_diff_count", pair) < n
        && System.nanoTime() < deadline) {
      RouterWorld.sleep(50);
    }
    assertThat(router.metric("starling_router_mirror_agreement_total", pair + ",result=\"agree\""))
        .isEqualTo(n);
    assertThat(router.metric("starling_router_mirror_abs_diff_count", pair)).isEqualTo(n);
    assertThat(router.metric("starling_router_mirror_abs_diff_bucket", pair + ",le=\"0.01\""))
        .as("abs 0.03 is above 0.01")
        .isZero();
    assertThat(router.metric("starling_router_mirror_abs_diff_bucket", pair + ",le=\"0.1\""))
        .as("abs 0.03 is at most 0.1")
        .isEqualTo(n);
    assertThat(router.metric("starling_router_mirror_abs_diff_sum", pair))
        .isCloseTo(n * 0.03, within(1e-6));
    assertThat(router.metric("starling_router_mirror_abs_diff_max", pair))
        .isCloseTo(0.03, within(1e-7));
    assertThat(router.metric("starling_router_mirror_rel_diff_bucket", pair + ",le=\"0.1\""))
        .as("rel 0.23 is above 0.1")
        .isZero();
    assertThat(router.metric("starling_router_mirror_rel_diff_bucket", pair + ",le=\"0.5\""))
        .as("rel 0.23 is at most 0.5")
        .isEqualTo(n);
    assertThat(router.metric("starling_router_mirror_rel_diff_bucket", pair + ",le=\"+Inf\""))
        .isEqualTo(n);
    assertThat(router.metric("starling_router_mirror_rel_diff_max", pair))
        .isCloseTo(0.03 / 0.13, within(1e-6));
  }

  @Test
  void aSlowShadowNeitherDelaysNorChangesLiveAnswersAndExcessCopiesAreDropped() {
    // a stand-in shadow that takes 2 s per answer (a real runtime cannot be made this slow on cue)
    long shadowNanos = Duration.ofSeconds(2).toNanos();
    try (TestingBackend slow =
        TestingBackend.start("v3").ready(true).delay(Duration.ofNanos(shadowNanos))) {
      router.reconfigure(config(100, "v3", slow.url(), 8));
      router.awaitReady(live.url(""), slow.url());
      String expected = direct(live, RouterWorld.IRIS_REQUEST).body();
      double droppedBefore =
          router.metric("starling_router_mirror_dropped_total", "shadow=\"v3\",reason=\"busy\"");
      List<Reply> replies = RouterWorld.load(4, 400, i -> router.infer(RouterWorld.IRIS_REQUEST));
      assertThat(replies)
          .allSatisfy(
              r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.servedBy()).isEqualTo("v1");
                assertThat(r.body()).isEqualTo(expected);
              });
      assertThat(slow.inferences()).as("copies that reached the shadow").isPositive();
      // had the router waited for the shadow, each of those requests would have taken >= 2 s
      assertThat(replies)
          .filteredOn(r -> r.nanos() >= shadowNanos)
          .as("live answers as slow as the shadow")
          .isEmpty();
      long[] nanos = replies.stream().mapToLong(Reply::nanos).sorted().toArray();
      assertThat(nanos[nanos.length / 2]).as("median latency").isLessThan(200_000_000L);
      assertThat(slow.maxConcurrent()).as("copies in flight").isLessThanOrEqualTo(8);
      assertThat(
              router.metric("starling_router_mirror_dropped_total", "shadow=\"v3\",reason=\"busy\"")
                  - droppedBefore)
          .as("copies dropped while 8 were in flight")
          .isPositive();
    }
  }

  @Test
  void aFailingShadowNeverFailsALiveAnswerAndCountsAsError() {
    // a stand-in shadow that is ready but answers every inference with a 500
    try (TestingBackend failing =
        TestingBackend.start("v4").ready(true).answer(500, "{\"error\":\"boom\"}")) {
      router.reconfigure(config(50, "v4", failing.url(), 1000));
      router.awaitReady(live.url(""), failing.url());
      String pair = "live=\"v1\",shadow=\"v4\"";
      double before =
          router.metric("starling_router_mirror_agreement_total", pair + ",result=\"error\"");
      String expected = direct(live, RouterWorld.IRIS_REQUEST).body();
      for (int i = 0; i < 100; i++) {
        Reply r = RouterWorld.send(router.infer(RouterWorld.IRIS_REQUEST));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(expected);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (router.metric("starling_router_mirror_agreement_total", pair + ",result=\"error\"")
                  - before
              < 50
          && System.nanoTime() < deadline) {
        RouterWorld.sleep(50);
      }
      assertThat(
              router.metric("starling_router_mirror_agreement_total", pair + ",result=\"error\"")
                  - before)
          .as("50 % of 100 requests copied, each an error")
          .isEqualTo(50);
      assertThat(failing.inferences()).isEqualTo(50);
    }
  }
}
