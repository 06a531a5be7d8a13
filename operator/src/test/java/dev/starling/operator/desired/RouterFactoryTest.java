package dev.starling.operator.desired;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static org.assertj.core.api.Assertions.assertThat;

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
  void hpaScalesTheRouterDeployment() {
    var hpa = RouterFactory.hpa(fraud());
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("fraud-router");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(RouterFactory.MIN_REPLICAS);
  }
}
