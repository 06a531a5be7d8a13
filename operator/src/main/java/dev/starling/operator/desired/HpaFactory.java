package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The autoscaling/v2 HPA {@code <md>-<v>}: CPU utilisation, plus in-flight requests per pod (the
 * runtime's {@code starling_inflight_requests} gauge via a custom metrics adapter) when asked.
 */
public final class HpaFactory {

  public static final String INFLIGHT_METRIC = "starling_inflight_requests";

  private HpaFactory() {}

  public static HorizontalPodAutoscaler create(ModelDeployment md, ModelVersion v) {
    List<MetricSpec> metrics = new ArrayList<>();
    metrics.add(
        new MetricSpecBuilder()
            .withType("Resource")
            .withNewResource()
            .withName("cpu")
            .withNewTarget()
            .withType("Utilization")
            .withAverageUtilization(VersionDefaults.cpuTarget(v))
            .endTarget()
            .endResource()
            .build());
    VersionDefaults.inflightTarget(v)
        .ifPresent(
            target ->
                metrics.add(
                    new MetricSpecBuilder()
                        .withType("Pods")
                        .withNewPods()
                        .withNewMetric()
                        .withName(INFLIGHT_METRIC)
                        .endMetric()
                        .withNewTarget()
                        .withType("AverageValue")
                        .withAverageValue(new Quantity(String.valueOf(target)))
                        .endTarget()
                        .endPods()
                        .build()));
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
        .withName(Names.version(md, v))
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(Names.versionLabels(md, v, "autoscaler"))
        .endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(Names.version(md, v))
        .endScaleTargetRef()
        .withMinReplicas(VersionDefaults.minReplicas(v))
        .withMaxReplicas(VersionDefaults.maxReplicas(v))
        .withMetrics(metrics)
        .withBehavior(
            behavior(
                v.getAutoscaling() == null
                    ? null
                    : v.getAutoscaling().getScaleDownStabilizationWindowSeconds()))
        .endSpec()
        .build();
  }

  /**
   * The HPA {@code behavior} for a scale-down stabilization window, or null (the HPA's defaults,
   * and nothing in the applied object) when the user set none. Shared with the router's HPA.
   */
  static HorizontalPodAutoscalerBehavior behavior(Integer scaleDownWindowSeconds) {
    return scaleDownWindowSeconds == null
        ? null
        : new HorizontalPodAutoscalerBehaviorBuilder()
            .withNewScaleDown()
            .withStabilizationWindowSeconds(scaleDownWindowSeconds)
            .endScaleDown()
            .build();
  }
}
