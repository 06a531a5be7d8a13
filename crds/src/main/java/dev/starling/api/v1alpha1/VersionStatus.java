package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Observed state of one model version. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionStatus {

  @JsonPropertyDescription("Version name, as in spec.versions[].name.")
  private String name;

  @JsonPropertyDescription("The weight spec asks for (spec.versions[].weight with its default).")
  private Integer desiredWeight;

  @JsonPropertyDescription(
      "Effective weight: the share of live traffic in percent this version receives now. Weight"
          + " moves to a version only once it has ready replicas, so this can differ from"
          + " desiredWeight for a while.")
  private Integer weight;

  @JsonPropertyDescription(
      "Why the effective weight is below the desired one, e.g. NoReadyReplicas (the version has"
          + " no ready pod yet) or WaitingForReadyVersions (no version that should serve is ready,"
          + " so the previous weights stay); absent when nothing is held back.")
  private String heldBack;

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

  public Integer getDesiredWeight() {
    return desiredWeight;
  }

  public void setDesiredWeight(Integer desiredWeight) {
    this.desiredWeight = desiredWeight;
  }

  public String getHeldBack() {
    return heldBack;
  }

  public void setHeldBack(String heldBack) {
    this.heldBack = heldBack;
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
        && Objects.equals(desiredWeight, v.desiredWeight)
        && Objects.equals(weight, v.weight)
        && Objects.equals(heldBack, v.heldBack)
        && Objects.equals(desiredReplicas, v.desiredReplicas)
        && Objects.equals(readyReplicas, v.readyReplicas)
        && Objects.equals(modelSha256, v.modelSha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        name, desiredWeight, weight, heldBack, desiredReplicas, readyReplicas, modelSha256);
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
