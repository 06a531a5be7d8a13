package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Ground-truth feedback: labels posted after the fact, scored against what the model said. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Feedback {

  @JsonPropertyDescription(
      "Turns on POST /v2/models/{model}/feedback: the predicted label of each V2 request that"
          + " carries an id is kept, and a label posted later under that id updates the"
          + " starling_feedback_accuracy gauge. Needs a model with labels (spec.signature.labels)."
          + " Defaults to false.")
  private Boolean enabled;

  @Min(1)
  @Max(10000000)
  @JsonPropertyDescription(
      "Most predictions remembered per pod while they wait for their label, 1 to 10000000."
          + " Defaults to 100000.")
  private Integer maxEntries;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @ValidationRule(
      value = "duration(self) > duration('0s')",
      message = "must be longer than 0s",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "How long a prediction waits for its label before it is forgotten. Defaults to 1h."
          + Durations.SYNTAX)
  private String ttl;

  @Min(1)
  @Max(1000000)
  @JsonPropertyDescription(
      "Labelled answers the accuracy is computed over (the most recent), 1 to 1000000."
          + " Defaults to 1000.")
  private Integer window;

  public Feedback() {}

  public Feedback(Boolean enabled, Integer maxEntries, String ttl, Integer window) {
    this.enabled = enabled;
    this.maxEntries = maxEntries;
    this.ttl = ttl;
    this.window = window;
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getMaxEntries() {
    return maxEntries;
  }

  public void setMaxEntries(Integer maxEntries) {
    this.maxEntries = maxEntries;
  }

  public String getTtl() {
    return ttl;
  }

  public void setTtl(String ttl) {
    this.ttl = ttl;
  }

  public Integer getWindow() {
    return window;
  }

  public void setWindow(Integer window) {
    this.window = window;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Feedback f
        && Objects.equals(enabled, f.enabled)
        && Objects.equals(maxEntries, f.maxEntries)
        && Objects.equals(ttl, f.ttl)
        && Objects.equals(window, f.window);
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, maxEntries, ttl, window);
  }
}
