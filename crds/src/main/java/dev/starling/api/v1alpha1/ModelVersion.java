package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Objects;

/** One model version: where its weights come from, its share of traffic and how it scales. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelVersion {

  public static final int MAX_NAME_LENGTH = 15;

  @Required
  @Size(min = 1, max = MAX_NAME_LENGTH)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Version name, a DNS label of at most 15 characters (e.g. 'v1'); unique within the"
          + " ModelDeployment. Reported by the runtime in metadata, headers and metrics.")
  private String name;

  @Required
  @JsonPropertyDescription("Where the ONNX model file comes from and its expected digest.")
  private ModelSource model;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription(
      "Share of live traffic in percent, 0 to 100; the weights of all versions sum to 100. May be"
          + " left out when there is a single version.")
  private Integer weight;

  @JsonPropertyDescription(
      "Keep this version running while its weight is 0, so requests carrying"
          + " traffic.pinHeader can reach it (test a version in production before it takes"
          + " traffic). Without it a weight-0 version that is not the mirror target scales to zero"
          + " pods and has no HorizontalPodAutoscaler. Requires traffic.pinHeader. Defaults to"
          + " false.")
  private Boolean pinnedForTesting;

  @JsonPropertyDescription(
      "Replica bounds and scaling targets for this version's HorizontalPodAutoscaler."
          + " Defaults to exactly one replica.")
  private Autoscaling autoscaling;

  @JsonPropertyDescription(
      "CPU and memory requests and limits of the runtime container. Defaults to requests of"
          + " 100m CPU and 256Mi memory and a 1Gi memory limit.")
  private ResourceRequirements resources;

  @Size(max = 512)
  @JsonPropertyDescription(
      "Runtime container image for this version. Defaults to the operator's runtime image"
          + " (starling/runtime:<operator version>, or STARLING_RUNTIME_IMAGE).")
  private String image;

  @Size(max = 64)
  @JsonPropertyDescription("Extra environment variables for the runtime container.")
  private List<EnvVar> env;

  @JsonPropertyDescription(
      "Dynamic batching for this version; fields set here override spec.batching.")
  private Batching batching;

  @JsonPropertyDescription(
      "Prediction cache for this version; fields set here override spec.cache.")
  private PredictionCache cache;

  @JsonPropertyDescription(
      "Overload protection for this version; fields set here override spec.inference.")
  private Inference inference;

  @JsonPropertyDescription(
      "Drift monitoring for this version; fields set here override spec.drift (e.g. a reference"
          + " profile per model).")
  private Drift drift;

  @JsonPropertyDescription(
      "This version's signature; when set it replaces spec.signature whole (not field by field),"
          + " since another model usually has other features.")
  private Signature signature;

  public ModelVersion() {}

  public ModelVersion(String name, ModelSource model, Integer weight) {
    this.name = name;
    this.model = model;
    this.weight = weight;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public ModelSource getModel() {
    return model;
  }

  public void setModel(ModelSource model) {
    this.model = model;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Boolean getPinnedForTesting() {
    return pinnedForTesting;
  }

  public void setPinnedForTesting(Boolean pinnedForTesting) {
    this.pinnedForTesting = pinnedForTesting;
  }

  /** {@code pinnedForTesting} with its default applied. */
  @JsonIgnore
  public boolean pinned() {
    return Boolean.TRUE.equals(pinnedForTesting);
  }

  public Autoscaling getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(Autoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public Batching getBatching() {
    return batching;
  }

  public void setBatching(Batching batching) {
    this.batching = batching;
  }

  public PredictionCache getCache() {
    return cache;
  }

  public void setCache(PredictionCache cache) {
    this.cache = cache;
  }

  public Inference getInference() {
    return inference;
  }

  public void setInference(Inference inference) {
    this.inference = inference;
  }

  public Drift getDrift() {
    return drift;
  }

  public void setDrift(Drift drift) {
    this.drift = drift;
  }

  public Signature getSignature() {
    return signature;
  }

  public void setSignature(Signature signature) {
    this.signature = signature;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelVersion v
        && Objects.equals(name, v.name)
        && Objects.equals(model, v.model)
        && Objects.equals(weight, v.weight)
        && Objects.equals(pinnedForTesting, v.pinnedForTesting)
        && Objects.equals(autoscaling, v.autoscaling)
        && Objects.equals(resources, v.resources)
        && Objects.equals(image, v.image)
        && Objects.equals(env, v.env)
        && Objects.equals(batching, v.batching)
        && Objects.equals(cache, v.cache)
        && Objects.equals(inference, v.inference)
        && Objects.equals(drift, v.drift)
        && Objects.equals(signature, v.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        name,
        model,
        weight,
        pinnedForTesting,
        autoscaling,
        resources,
        image,
        env,
        batching,
        cache,
        inference,
        drift,
        signature);
  }
}
