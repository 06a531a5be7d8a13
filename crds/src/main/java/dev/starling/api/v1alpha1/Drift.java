package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** Data-drift monitoring against a reference profile of the training data. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Drift {

  @JsonPropertyDescription(
      "ConfigMap key holding the reference profile written by 'starling-runtime.jar profile'"
          + " (per-feature histograms and the model's prediction shares on the training data)."
          + " Mounted at /etc/starling/drift/profile.json; drift monitoring is on when set.")
  private ConfigMapKeyRef referenceProfile;

  @Min(10)
  @Max(1000000)
  @JsonPropertyDescription(
      "Live rows the Population Stability Index is computed over, 10 to 1000000. Defaults to"
          + " 2000.")
  private Integer window;

  @JsonPropertyDescription(
      "Ground-truth feedback: labels posted later by request id, scored against the answers"
          + " (an accuracy gauge). Works with or without a reference profile; a version's fields"
          + " override the spec's field by field.")
  private Feedback feedback;

  public Drift() {}

  public Drift(ConfigMapKeyRef referenceProfile, Integer window) {
    this(referenceProfile, window, null);
  }

  public Drift(ConfigMapKeyRef referenceProfile, Integer window, Feedback feedback) {
    this.referenceProfile = referenceProfile;
    this.window = window;
    this.feedback = feedback;
  }

  public ConfigMapKeyRef getReferenceProfile() {
    return referenceProfile;
  }

  public void setReferenceProfile(ConfigMapKeyRef referenceProfile) {
    this.referenceProfile = referenceProfile;
  }

  public Integer getWindow() {
    return window;
  }

  public void setWindow(Integer window) {
    this.window = window;
  }

  public Feedback getFeedback() {
    return feedback;
  }

  public void setFeedback(Feedback feedback) {
    this.feedback = feedback;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Drift d
        && Objects.equals(referenceProfile, d.referenceProfile)
        && Objects.equals(window, d.window)
        && Objects.equals(feedback, d.feedback);
  }

  @Override
  public int hashCode() {
    return Objects.hash(referenceProfile, window, feedback);
  }
}
