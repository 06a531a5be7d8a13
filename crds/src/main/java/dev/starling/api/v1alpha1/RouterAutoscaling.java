package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Replica bounds and CPU target of the builtin router's HorizontalPodAutoscaler. Not {@link
 * Autoscaling}: the router has its own defaults (1..5 at 70 % CPU) and no in-flight metric.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
    message = "minReplicas must be less than or equal to maxReplicas",
    fieldPath = ".minReplicas",
    reason = "FieldValueInvalid")
public class RouterAutoscaling {

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription(
      "Fewest router replicas, 1 to 1000. Defaults to 1. When 2 or more, a PodDisruptionBudget"
          + " lets voluntary disruptions (node drains) take at most one router pod at a time.")
  private Integer minReplicas;

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription(
      "Most router replicas, 1 to 1000. Defaults to 5 (or minReplicas if larger).")
  private Integer maxReplicas;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Target average CPU utilisation of the router pods in percent of their CPU request."
          + " Defaults to 70.")
  private Integer targetCPUUtilizationPercentage;

  @Min(0)
  @Max(3600)
  @JsonPropertyDescription(
      "Seconds the router's HPA looks back before removing router pods (scale-down"
          + " stabilization window), as for versions. 0 to 3600; unset keeps the HPA's default"
          + " (300).")
  private Integer scaleDownStabilizationWindowSeconds;

  public RouterAutoscaling() {}

  public RouterAutoscaling(Integer minReplicas, Integer maxReplicas) {
    this.minReplicas = minReplicas;
    this.maxReplicas = maxReplicas;
  }

  public Integer getMinReplicas() {
    return minReplicas;
  }

  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public Integer getTargetCPUUtilizationPercentage() {
    return targetCPUUtilizationPercentage;
  }

  public void setTargetCPUUtilizationPercentage(Integer targetCPUUtilizationPercentage) {
    this.targetCPUUtilizationPercentage = targetCPUUtilizationPercentage;
  }

  public Integer getScaleDownStabilizationWindowSeconds() {
    return scaleDownStabilizationWindowSeconds;
  }

  public void setScaleDownStabilizationWindowSeconds(Integer scaleDownStabilizationWindowSeconds) {
    this.scaleDownStabilizationWindowSeconds = scaleDownStabilizationWindowSeconds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RouterAutoscaling a
        && Objects.equals(minReplicas, a.minReplicas)
        && Objects.equals(maxReplicas, a.maxReplicas)
        && Objects.equals(targetCPUUtilizationPercentage, a.targetCPUUtilizationPercentage)
        && Objects.equals(
            scaleDownStabilizationWindowSeconds, a.scaleDownStabilizationWindowSeconds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        minReplicas,
        maxReplicas,
        targetCPUUtilizationPercentage,
        scaleDownStabilizationWindowSeconds);
  }
}
