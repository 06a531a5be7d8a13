package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Observed state of one model version. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionStatus {

  @JsonPropertyDescription("Version name, as in spec.versions[].name.")
  private String name;

  @JsonPropertyDescription("Share of live traffic in percent this version receives.")
  private Integer weight;

  @JsonPropertyDescription("Replicas the version's Deployment wants.")
  private Integer desiredReplicas;

  @JsonPropertyDescription("Replicas that pass their readiness probe.")
  private Integer readyReplicas;

  @JsonPropertyDescription(
      "SHA-256 of the model file the pods verify before serving; absent when spec gives none.")
  private String modelSha256;

  public VersionStatus() {}

  public VersionStatus(
      String name,
      Integer weight,
      Integer desiredReplicas,
      Integer readyReplicas,
      String modelSha256) {
    this.name = name;
    this.weight = weight;
    this.desiredReplicas = desiredReplicas;
    this.readyReplicas = readyReplicas;
    this.modelSha256 = modelSha256;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Integer getDesiredReplicas() {
    return desiredReplicas;
  }

  public void setDesiredReplicas(Integer desiredReplicas) {
    this.desiredReplicas = desiredReplicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getModelSha256() {
    return modelSha256;
  }

  public void setModelSha256(String modelSha256) {
    this.modelSha256 = modelSha256;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionStatus v
        && Objects.equals(name, v.name)
        && Objects.equals(weight, v.weight)
        && Objects.equals(desiredReplicas, v.desiredReplicas)
        && Objects.equals(readyReplicas, v.readyReplicas)
        && Objects.equals(modelSha256, v.modelSha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, weight, desiredReplicas, readyReplicas, modelSha256);
  }

  @Override
  public String toString() {
    return "VersionStatus["
        + name
        + " w="
        + weight
        + " "
        + readyReplicas
        + "/"
        + desiredReplicas
        + "]";
  }
}
