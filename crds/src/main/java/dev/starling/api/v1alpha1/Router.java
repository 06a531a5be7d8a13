package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Objects;

/** Sizing of the builtin router's pods: replica bounds of its HPA and container resources. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Router {

  @JsonPropertyDescription(
      "Replica bounds and CPU target of the router's HorizontalPodAutoscaler. Defaults to 1 to"
          + " 5 replicas at 70% CPU.")
  private RouterAutoscaling autoscaling;

  @JsonPropertyDescription(
      "CPU and memory requests and limits of the router container. Defaults to requests of 100m"
          + " CPU and 128Mi memory and a 512Mi memory limit.")
  private ResourceRequirements resources;

  public Router() {}

  public RouterAutoscaling getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(RouterAutoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Router r
        && Objects.equals(autoscaling, r.autoscaling)
        && Objects.equals(resources, r.resources);
  }

  @Override
  public int hashCode() {
    return Objects.hash(autoscaling, resources);
  }
}
