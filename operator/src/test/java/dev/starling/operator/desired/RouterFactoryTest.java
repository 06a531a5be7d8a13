package dev.starling.operator.desired;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.Router;
import dev.starling.api.v1alpha1.RouterAutoscaling;
import dev.starling.api.v1alpha1.Traffic;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterFactoryTest {

  @Test
  void stableServiceSelectsTheRouterPods() {
    var md = fraud();
    var deployment = RouterFactory.deployment(md, "starling/runtime:test");
    var stable = RouterFactory.stable(md);
    assertThat(stable.getMetadata().getName()).isEqualTo("fraud");
    assertThat(deployment.getMetadata().getName()).isEqualTo("fraud-router");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(stable.getSpec().getSelector())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(stable.getSpec().getSelector()).doesNotContainKey(Names.LABEL_VERSION);
  }

  @Test
  void routerRunsTheSameImageInRouterModeOnItsConfigMap() {
    var md = fraud();
    var pod = RouterFactory.deployment(md, "starling/runtime:test").getSpec().getTemplate();
    var container = pod.getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("starling/runtime:test");
    assertThat(container.getArgs())
        .containsExactly("router", "--config", "/etc/starling/router.yaml");
    assertThat(pod.getSpec().getVolumes().get(0).getConfigMap().getName())
        .isEqualTo("fraud-router");
    assertThat(RouterFactory.configMap(md, "x").getData()).isEqualTo(Map.of("router.yaml", "x"));
  }

  @Test
  void theRouterGetsThreeMinutesToStartAndHalfAMinuteOfLivenessAfter() {
    var router =
        RouterFactory.deployment(fraud(), "img").getSpec().getTemplate().getSpec().getContainers();
    var startup = router.get(0).getStartupProbe();
    assertThat(startup.getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).isEqualTo(180);
    var liveness = router.get(0).getLivenessProbe();
    assertThat(liveness.getPeriodSeconds() * liveness.getFailureThreshold()).isEqualTo(30);
  }

  @Test
  void aWeightEditChangesTheConfigMapButNotTheDeployment() {
    var md = fraud();
    var before = RouterFactory.deployment(md, "img");
    String config90 = RouterConfigFactory.render(md, Map.of("v1", 90, "v2", 10));
    md.getSpec().getVersions().get(0).setWeight(50);
    md.getSpec().getVersions().get(1).setWeight(50);
    String config50 = RouterConfigFactory.render(md, Map.of("v1", 50, "v2", 50));
    assertThat(RouterFactory.deployment(md, "img")).isEqualTo(before);
    assertThat(config50).isNotEqualTo(config90);
  }

  @Test
  void scaleDownWindowIsRenderedOnlyWhenSetForTheVersionAndTheRouter() {
    var md = fraud();
    var v1 = md.getSpec().getVersions().get(0);
    assertThat(HpaFactory.create(md, v1).getSpec().getBehavior()).isNull();
    assertThat(RouterFactory.hpa(md).getSpec().getBehavior()).isNull();

    v1.getAutoscaling().setScaleDownStabilizationWindowSeconds(600);
    var autoscaling = new RouterAutoscaling();
    autoscaling.setScaleDownStabilizationWindowSeconds(45);
    router(md, autoscaling, null);
    var version = HpaFactory.create(md, v1).getSpec().getBehavior();
    assertThat(version.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(600);
    assertThat(version.getScaleUp()).isNull();
    var routerHpa = RouterFactory.hpa(md).getSpec().getBehavior();
    assertThat(routerHpa.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(45);
  }

  @Test
  void hpaScalesTheRouterDeployment() {
    var hpa = RouterFactory.hpa(fraud());
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("fraud-router");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(RouterFactory.MIN_REPLICAS);
  }

  @Test
  void withoutTrafficRouterTheRouterKeepsTodaysSizing() {
    var md = fraud();
    var hpa = RouterFactory.hpa(md).getSpec();
    assertThat(hpa.getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getMaxReplicas()).isEqualTo(5);
    assertThat(hpa.getMetrics().get(0).getResource().getName()).isEqualTo("cpu");
    assertThat(hpa.getMetrics().get(0).getResource().getTarget().getAverageUtilization())
        .isEqualTo(70);
    var resources = container(md).getResources();
    assertThat(resources.getRequests())
        .isEqualTo(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")));
    assertThat(resources.getLimits()).isEqualTo(Map.of("memory", new Quantity("512Mi")));
    assertThat(RouterFactory.pdb(md)).isEmpty();
  }

  @Test
  void trafficRouterSetsTheHpaBoundsCpuTargetAndResources() {
    var md = fraud();
    var autoscaling = new RouterAutoscaling(3, 12);
    autoscaling.setTargetCPUUtilizationPercentage(55);
    var resources =
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("1"))
            .addToLimits("memory", new Quantity("2Gi"))
            .build();
    router(md, autoscaling, resources);
    var hpa = RouterFactory.hpa(md).getSpec();
    assertThat(hpa.getMinReplicas()).isEqualTo(3);
    assertThat(hpa.getMaxReplicas()).isEqualTo(12);
    assertThat(hpa.getMetrics().get(0).getResource().getTarget().getAverageUtilization())
        .isEqualTo(55);
    assertThat(container(md).getResources()).isEqualTo(resources);
  }

  @Test
  void onlyMinReplicasSetKeepsMaxAtLeastMin() {
    var md = fraud();
    router(md, new RouterAutoscaling(2, null), null);
    assertThat(RouterFactory.hpa(md).getSpec().getMaxReplicas()).isEqualTo(5);
    router(md, new RouterAutoscaling(8, null), null);
    assertThat(RouterFactory.hpa(md).getSpec().getMinReplicas()).isEqualTo(8);
    assertThat(RouterFactory.hpa(md).getSpec().getMaxReplicas()).isEqualTo(8);
    assertThat(container(md).getResources().getRequests().get("memory"))
        .isEqualTo(new Quantity("128Mi"));
  }

  @Test
  void routerGetsADisruptionBudgetFromTwoReplicasLikeTheVersions() {
    var md = fraud();
    router(md, new RouterAutoscaling(1, 4), null);
    assertThat(RouterFactory.pdb(md)).isEmpty();
    router(md, new RouterAutoscaling(2, 4), null);
    var pdb = RouterFactory.pdb(md).orElseThrow();
    assertThat(pdb.getMetadata().getName()).isEqualTo("fraud-router");
    assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(RouterFactory.deployment(md, "img").getSpec().getSelector().getMatchLabels());
  }

  private static void router(
      ModelDeployment md, RouterAutoscaling autoscaling, ResourceRequirements resources) {
    if (md.getSpec().getTraffic() == null) {
      md.getSpec().setTraffic(new Traffic());
    }
    var router = new Router();
    router.setAutoscaling(autoscaling);
    router.setResources(resources);
    md.getSpec().getTraffic().setRouter(router);
  }

  private static Container container(ModelDeployment md) {
    return RouterFactory.deployment(md, "img")
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }
}
