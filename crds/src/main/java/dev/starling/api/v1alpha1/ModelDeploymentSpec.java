package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the user asks for: the model versions to serve and whether to run them at all. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.traffic) || !has(self.traffic.mirror)"
            + " || self.versions.exists(v, v.name == self.traffic.mirror.version)",
    message = "traffic.mirror.version must name one of spec.versions",
    fieldPath = ".traffic.mirror.version",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "(has(self.traffic) && has(self.traffic.mode) && self.traffic.mode == 'gateway-api')"
            + " || self.versions.all(v, v.name != 'router')",
    message =
        "a version may not be named 'router' in builtin traffic mode: '<name>-router' names the"
            + " router",
    fieldPath = ".versions",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "(has(self.traffic) && has(self.traffic.pinHeader))"
            + " || self.versions.all(v, !has(v.pinnedForTesting) || !v.pinnedForTesting)",
    message = "versions[].pinnedForTesting needs traffic.pinHeader (the header that reaches it)",
    fieldPath = ".versions",
    reason = "FieldValueInvalid")
public class ModelDeploymentSpec {

  public static final int MAX_VERSIONS = 10;

  @Required
  @Size(min = 1, max = MAX_VERSIONS)
  @ValidationRule(
      value =
          "(self.size() == 1 && !has(self[0].weight))"
              + " || self.map(v, has(v.weight) ? v.weight : 0).sum() == 100",
      message = "weights must sum to 100 (a single version without a weight gets all the traffic)",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "The model versions to serve, 1 to 10, keyed by name. Each version runs as its own"
          + " Deployment, Service and HorizontalPodAutoscaler named '<name>-<version>'.")
  private List<ModelVersion> versions = new ArrayList<>();

  @JsonPropertyDescription(
      "Scale every version to zero pods while keeping all other objects. Defaults to false.")
  private Boolean suspend;

  @JsonPropertyDescription(
      "How traffic is split between the versions. Defaults to mode 'builtin' with no pinning,"
          + " stickiness or mirroring.")
  private Traffic traffic;

  @JsonPropertyDescription(
      "Dynamic batching for every version (a version's own batching overrides it field by"
          + " field). Unset, the runtime merges only requests already waiting for a busy model"
          + " (see maxBatchSize).")
  private Batching batching;

  @JsonPropertyDescription(
      "Prediction cache for every version (a version's own cache overrides it field by field)."
          + " Off by default.")
  private PredictionCache cache;

  @JsonPropertyDescription(
      "Overload protection for every version (a version's own inference overrides it field by"
          + " field).")
  private Inference inference;

  @JsonPropertyDescription(
      "API-key authentication of every version's inference endpoints. Off when unset.")
  private Auth auth;

  @JsonPropertyDescription("Per-client rate limit in every version's pods. Off when unset.")
  private RateLimit rateLimit;

  @JsonPropertyDescription(
      "Data-drift monitoring for every version (a version's own drift overrides it field by"
          + " field). Off unless a referenceProfile is set.")
  private Drift drift;

  @JsonPropertyDescription(
      "Named features in, labelled classes out, for every version (a version's own signature"
          + " replaces it whole: features differ per model). Off when unset: clients send tensors.")
  private Signature signature;

  public ModelDeploymentSpec() {}

  public ModelDeploymentSpec(List<ModelVersion> versions, Boolean suspend) {
    this.versions = versions;
    this.suspend = suspend;
  }

  public List<ModelVersion> getVersions() {
    return versions;
  }

  public void setVersions(List<ModelVersion> versions) {
    this.versions = versions;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public Traffic getTraffic() {
    return traffic;
  }

  public void setTraffic(Traffic traffic) {
    this.traffic = traffic;
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

  public Auth getAuth() {
    return auth;
  }

  public void setAuth(Auth auth) {
    this.auth = auth;
  }

  public RateLimit getRateLimit() {
    return rateLimit;
  }

  public void setRateLimit(RateLimit rateLimit) {
    this.rateLimit = rateLimit;
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

  /** Whether pods should run: false when {@code suspend} is set. */
  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelDeploymentSpec s
        && Objects.equals(versions, s.versions)
        && Objects.equals(suspend, s.suspend)
        && Objects.equals(traffic, s.traffic)
        && Objects.equals(batching, s.batching)
        && Objects.equals(cache, s.cache)
        && Objects.equals(inference, s.inference)
        && Objects.equals(auth, s.auth)
        && Objects.equals(rateLimit, s.rateLimit)
        && Objects.equals(drift, s.drift)
        && Objects.equals(signature, s.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        versions, suspend, traffic, batching, cache, inference, auth, rateLimit, drift, signature);
  }
}
