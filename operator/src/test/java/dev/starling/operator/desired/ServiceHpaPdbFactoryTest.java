package dev.starling.operator.desired;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static dev.starling.operator.TestingModelDeployments.iris;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;

class ServiceHpaPdbFactoryTest {

  @Test
  void stableServiceSelectsTheHeaviestVersion() {
    var md = fraud();
    var stable = ServiceFactory.stable(md);
    assertThat(stable.getMetadata().getName()).isEqualTo("fraud");
    assertThat(stable.getSpec().getSelector())
        .containsEntry(Names.LABEL_VERSION, "v1")
        .containsEntry(Names.LABEL_MODEL_DEPLOYMENT, "fraud");
    md.getSpec().getVersions().get(0).setWeight(10);
    md.getSpec().getVersions().get(1).setWeight(90);
    assertThat(ServiceFactory.stable(md).getSpec().getSelector())
        .containsEntry(Names.LABEL_VERSION, "v2");
  }

  @Test
  void versionServiceTargetsTheNamedHttpPort() {
    var md = fraud();
    var s = ServiceFactory.version(md, md.getSpec().getVersions().get(1));
    assertThat(s.getMetadata().getName()).isEqualTo("fraud-v2");
    assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(s.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void hpaScalesTheVersionDeploymentOnCpuAndOptionallyInflight() {
    var md = fraud();
    var v1 = md.getSpec().getVersions().get(0);
    HorizontalPodAutoscaler hpa = HpaFactory.create(md, v1);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("fraud-v1");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
    assertThat(hpa.getSpec().getMetrics()).hasSize(1);
    assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization())
        .isEqualTo(80);

    v1.getAutoscaling().setTargetInflightRequests(8);
    var metrics = HpaFactory.create(md, v1).getSpec().getMetrics();
    assertThat(metrics).hasSize(2);
    assertThat(metrics.get(1).getPods().getMetric().getName())
        .isEqualTo("starling_inflight_requests");
    assertThat(metrics.get(1).getPods().getTarget().getAverageValue().toString()).isEqualTo("8");
  }

  @Test
  void pdbOnlyFromTwoReplicas() {
    var md = fraud();
    assertThat(PdbFactory.create(md, md.getSpec().getVersions().get(0))).isPresent();
    assertThat(PdbFactory.create(md, md.getSpec().getVersions().get(1))).isEmpty();
    var iris = iris();
    assertThat(PdbFactory.create(iris, iris.getSpec().getVersions().get(0))).isEmpty();
  }

  @Test
  void configMapHoldsRuntimeYaml() {
    var md = iris();
    var cm = ConfigMapFactory.create(md, md.getSpec().getVersions().get(0));
    assertThat(cm.getMetadata().getName()).isEqualTo("iris-v1");
    assertThat(cm.getData()).containsOnlyKeys("runtime.yaml");
    assertThat(cm.getData().get("runtime.yaml")).contains("models:");
  }
}
