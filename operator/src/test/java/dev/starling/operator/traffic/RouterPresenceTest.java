package dev.starling.operator.traffic;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static dev.starling.operator.TestingModelDeployments.iris;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.GatewayRef;
import dev.starling.api.v1alpha1.Mirror;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.Traffic;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouterPresenceTest {

  /**
   * The switches of {@link RouterPresence}: seen = router ready / {@code <md>} on the router;
   * decided = objects kept / {@code <md>} on the router.
   */
  @ParameterizedTest(name = "versions={0} routerReady={1} onRouter={2} versionReady={3}")
  @CsvSource({
    // versions, router ready, <md> on router, first version ready -> kept, serves
    "2, false, false, true,  true,  false", // 1 -> 2: router created, <md> stays on the version
    "2, true,  false, true,  true,  true", //  router ready: <md> moves to it
    "2, false, true,  true,  true,  true", //  router lost its pods: <md> stays on it
    "2, true,  true,  false, true,  true",
    "1, true,  true,  false, true,  true", //  2 -> 1, version not ready: stays on the router
    "1, true,  true,  true,  true,  false", // version ready: <md> moves, router still kept
    "1, false, true,  false, true,  false", // router has no ready pod either: move at once
    "1, true,  false, true,  false, false", // <md> on the version: router objects deleted
    "1, false, false, false, false, false", // new one-version ModelDeployment: never a router
  })
  void switchesKeepPodsBehindTheStableService(
      int versions,
      boolean routerReady,
      boolean onRouter,
      boolean versionReady,
      boolean kept,
      boolean serves) {
    ModelDeployment md = versions == 2 ? fraud() : iris();
    RouterPresence p =
        RouterPresence.decide(md, new RouterPresence.Seen(routerReady, onRouter), versionReady);
    assertThat(p.needed()).isEqualTo(versions == 2);
    assertThat(p.kept()).as("kept").isEqualTo(kept);
    assertThat(p.serves()).as("serves").isEqualTo(serves);
  }

  @Test
  void aMirrorNeedsTheRouterEvenWithOneVersion() {
    ModelDeployment md = iris();
    Traffic traffic = new Traffic();
    traffic.setMirror(new Mirror(md.getSpec().getVersions().get(0).getName(), 10));
    md.getSpec().setTraffic(traffic);
    assertThat(RouterPresence.needed(md)).isTrue();
  }

  @Test
  void pinAndStickyAloneDoNotNeedARouter() {
    ModelDeployment md = iris();
    Traffic traffic = new Traffic();
    traffic.setPinHeader("x-starling-version");
    md.getSpec().setTraffic(traffic);
    assertThat(RouterPresence.needed(md)).isFalse();
  }

  @Test
  void gatewayApiModeNeverHasARouter() {
    ModelDeployment md = fraud();
    Traffic traffic = new Traffic();
    traffic.setMode(Traffic.GATEWAY_API);
    traffic.setGatewayRef(new GatewayRef("public", "infra", null));
    md.getSpec().setTraffic(traffic);
    assertThat(RouterPresence.decide(md, new RouterPresence.Seen(true, true), true))
        .isEqualTo(RouterPresence.NONE);
  }

  @Test
  void whileTheRouterStartsOneVersionGetsAllTrafficAndTheOthersAreHeldBack() {
    TrafficPlan plan =
        TrafficPlan.decide(
            fraud(), Map.of("v1", 2, "v2", 1), new RouterPresence.Seen(false, false));
    assertThat(plan.effective()).containsExactly(Map.entry("v1", 100), Map.entry("v2", 0));
    assertThat(plan.of("v2").orElseThrow().heldBack()).contains(EffectiveWeight.ROUTER_NOT_READY);
    assertThat(plan.of("v1").orElseThrow().heldBack()).isEmpty();
    // the router gets the split it will apply, and both versions run
    assertThat(plan.routerWeights()).containsExactly(Map.entry("v1", 90), Map.entry("v2", 10));
    assertThat(plan.running()).containsExactlyInAnyOrder("v1", "v2");
    assertThat(plan.primary(fraud())).isEqualTo("v1");

    TrafficPlan serving =
        TrafficPlan.decide(fraud(), Map.of("v1", 2, "v2", 1), new RouterPresence.Seen(true, false));
    assertThat(serving.effective()).containsExactly(Map.entry("v1", 90), Map.entry("v2", 10));
    assertThat(serving.heldBack()).isEmpty();
  }

  @Test
  void anUnreadyCanaryKeepsItsOwnReasonWhileTheRouterStarts() {
    TrafficPlan plan =
        TrafficPlan.decide(fraud(), Map.of("v1", 2), new RouterPresence.Seen(false, false));
    assertThat(plan.of("v2").orElseThrow().heldBack()).contains(EffectiveWeight.NO_READY_REPLICAS);
  }
}
