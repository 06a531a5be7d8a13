package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed: readiness, the stable URL and each version's replicas. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelDeploymentStatus {

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "In-cluster URL of the stable Service, e.g. http://fraud.ml.svc:8080, that serves the"
          + " Open Inference Protocol v2 REST API.")
  private String url;

  @JsonPropertyDescription(
      "One-line summary of the versions, their weights and ready replicas, e.g. 'v1=90% 2/2,"
          + " v2=10% 1/1' (the Versions column of kubectl get).")
  private String summary;

  @JsonPropertyDescription(
      "Ready (all versions serve), Progressing (a rollout or scale-up is under way) and Degraded"
          + " (a version cannot serve: bad model, crash loop), in the metav1.Condition shape.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Per-version weights, replicas and model digest.")
  private List<VersionStatus> versions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<VersionStatus> getVersions() {
    return versions;
  }

  public void setVersions(List<VersionStatus> versions) {
    this.versions = versions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelDeploymentStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(url, s.url)
        && Objects.equals(summary, s.summary)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(versions, s.versions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, url, summary, conditions, versions);
  }
}
