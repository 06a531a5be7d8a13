package dev.starling.operator.traffic;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static dev.starling.operator.TestingModelDeployments.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.Mirror;
import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentStatus;
import dev.starling.api.v1alpha1.Traffic;
import dev.starling.api.v1alpha1.VersionStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficPlanTest {

  /** fraud v1=90, v2=10, plus v3=0 and v4=0. */
  static ModelDeployment fourVersions() {
    ModelDeployment md = fraud();
    md.getSpec().getVersions().add(version("v3", "pvc://models/3.onnx", 0));
    md.getSpec().getVersions().add(version("v4", "pvc://models/4.onnx", 0));
    return md;
  }

  @Test
  void weightZeroVersionsRunOnlyAsMirrorTargetOrPinnedForTesting() {
    ModelDeployment md = fourVersions();
    Traffic traffic = new Traffic();
    traffic.setPinHeader("x-starling-version");
    traffic.setMirror(new Mirror("v3", 20));
    md.getSpec().setTraffic(traffic);
    TrafficPlan plan = TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1));
    assertThat(plan.running()).containsExactlyInAnyOrder("v1", "v2", "v3");

    md.getSpec().getVersions().get(3).setPinnedForTesting(true);
    plan = TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1));
    assertThat(plan.running()).containsExactlyInAnyOrder("v1", "v2", "v3", "v4");
  }

  @Test
  void canaryWithoutReadyReplicasRunsButGetsNoWeight() {
    TrafficPlan plan = TrafficPlan.decide(fraud(), Map.of("v1", 2));
    assertThat(plan.effective()).containsExactly(Map.entry("v1", 100), Map.entry("v2", 0));
    assertThat(plan.runs("v2")).isTrue();
    assertThat(plan.heldBack()).extracting(EffectiveWeight::name).containsExactly("v2");
    assertThat(plan.routerWeights()).isEqualTo(plan.effective());
  }

  @Test
  void oldVersionKeepsServingAndRunningUntilItsSuccessorIsReady() {
    ModelDeployment md = fraud();
    md.getSpec().getVersions().get(0).setWeight(0);
    md.getSpec().getVersions().get(1).setWeight(100);
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.setVersions(
        List.of(new VersionStatus("v1", 100, 2, 2, null), new VersionStatus("v2", 0, 1, 0, null)));
    md.setStatus(status);

    TrafficPlan waiting = TrafficPlan.decide(md, Map.of("v1", 2));
    assertThat(waiting.effective()).containsExactly(Map.entry("v1", 100), Map.entry("v2", 0));
    assertThat(waiting.running()).containsExactlyInAnyOrder("v1", "v2");

    TrafficPlan promoted = TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1));
    assertThat(promoted.effective()).containsExactly(Map.entry("v1", 0), Map.entry("v2", 100));
    assertThat(promoted.running()).containsExactly("v2");
    assertThat(promoted.primary(md)).isEqualTo("v2");
  }

  @Test
  void nothingReadyRendersTheDesiredWeightsForTheRouter() {
    TrafficPlan plan = TrafficPlan.decide(fraud(), Map.of());
    assertThat(plan.effective()).containsExactly(Map.entry("v1", 0), Map.entry("v2", 0));
    assertThat(plan.routerWeights()).containsExactly(Map.entry("v1", 90), Map.entry("v2", 10));
    assertThat(plan.primary(fraud())).isEqualTo("v1");
  }

  @Test
  void modeDefaultsToBuiltin() {
    ModelDeployment md = fraud();
    assertThat(TrafficPlan.builtin(md)).isTrue();
    md.getSpec().setTraffic(new Traffic());
    assertThat(TrafficPlan.builtin(md)).isTrue();
    md.getSpec().getTraffic().setMode(Traffic.GATEWAY_API);
    assertThat(TrafficPlan.builtin(md)).isFalse();
  }
}
