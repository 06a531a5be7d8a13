package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Replica bounds and the targets the HorizontalPodAutoscaler scales a version by. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
    message = "minReplicas must be less than or equal to maxReplicas",
    fieldPath = ".minReplicas",
    reason = "FieldValueInvalid")
public class Autoscaling {

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription(
      "Fewest replicas, 1 to 1000. Defaults to 1. When 2 or more, a PodDisruptionBudget lets"
          + " voluntary disruptions (node drains) take at most one pod at a time.")
  private Integer minReplicas;

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Most replicas, 1 to 1000. Defaults to minReplicas.")
  private Integer maxReplicas;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Target average CPU utilisation in percent of the CPU request. Defaults to 80.")
  private Integer targetCPUUtilizationPercentage;

  @Min(0)
  @Max(3600)
  @JsonPropertyDescription(
      "Seconds the HPA looks back before removing pods: it scales down only to the highest"
          + " replica count it computed over that window, so a short lull does not take away pods"
          + " a returning load needs. 0 to 3600; unset keeps the HPA's default (300).")
  private Integer scaleDownStabilizationWindowSeconds;

  @Min(1)
  @Max(10000)
  @JsonPropertyDescription(
      "Optional target of in-flight requests per pod (the runtime's starling_inflight_requests"
          + " metric, served to the HPA by a custom metrics adapter such as prometheus-adapter).")
  private Integer targetInflightRequests;

  public Autoscaling() {}

  public Autoscaling(Integer minReplicas, Integer maxReplicas) {
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

  public Integer getTargetInflightRequests() {
    return targetInflightRequests;
  }

  public void setTargetInflightRequests(Integer targetInflightRequests) {
    this.targetInflightRequests = targetInflightRequests;
  }

  public Integer getScaleDownStabilizationWindowSeconds() {
    return scaleDownStabilizationWindowSeconds;
  }

  public void setScaleDownStabilizationWindowSeconds(Integer scaleDownStabilizationWindowSeconds) {
    this.scaleDownStabilizationWindowSeconds = scaleDownStabilizationWindowSeconds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Autoscaling a
        && Objects.equals(minReplicas, a.minReplicas)
        && Objects.equals(maxReplicas, a.maxReplicas)
        && Objects.equals(targetCPUUtilizationPercentage, a.targetCPUUtilizationPercentage)
        && Objects.equals(
            scaleDownStabilizationWindowSeconds, a.scaleDownStabilizationWindowSeconds)
        && Objects.equals(targetInflightRequests, a.targetInflightRequests);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        minReplicas,
        maxReplicas,
        targetCPUUtilizationPercentage,
        scaleDownStabilizationWindowSeconds,
        targetInflightRequests);
  }
}
