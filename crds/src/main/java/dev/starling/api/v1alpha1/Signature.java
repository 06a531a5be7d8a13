package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/**
 * Pre- and post-processing around a model: named features that become one input tensor, and class
 * labels (with top-k) read from one output. Rendered into runtime.yaml's {@code
 * models[0].signature}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Signature {

  public static final int MAX_FEATURES = 256;
  public static final int MAX_LABELS = 1000;

  @Size(max = 256)
  @JsonPropertyDescription(
      "The model input the named features fill, one column each in the order listed. Defaults to"
          + " the model's only input.")
  private String input;

  @Size(max = MAX_FEATURES)
  @JsonPropertyDescription(
      "Named features, so clients can send {\"amount\": 12.5, \"age\": 31} (or a list of such"
          + " rows) instead of a tensor; up to 256, keyed by name.")
  private List<Feature> features;

  @Size(max = 256)
  @JsonPropertyDescription(
      "The model output the labels name the columns of. Defaults to the model's only output.")
  private String output;

  @Size(max = MAX_LABELS)
  @JsonPropertyDescription(
      "Class names for the output's columns, in order: answers then carry the predicted label and"
          + " the probability per label; up to 1000, each up to 256 characters.")
  private List<@Size(max = 256) String> labels;

  @Min(1)
  @JsonPropertyDescription("How many of the most likely labels an answer lists. Defaults to all.")
  private Integer topK;

  public Signature() {}

  public Signature(
      String input, List<Feature> features, String output, List<String> labels, Integer topK) {
    this.input = input;
    this.features = features;
    this.output = output;
    this.labels = labels;
    this.topK = topK;
  }

  public String getInput() {
    return input;
  }

  public void setInput(String input) {
    this.input = input;
  }

  public List<Feature> getFeatures() {
    return features;
  }

  public void setFeatures(List<Feature> features) {
    this.features = features;
  }

  public String getOutput() {
    return output;
  }

  public void setOutput(String output) {
    this.output = output;
  }

  public List<String> getLabels() {
    return labels;
  }

  public void setLabels(List<String> labels) {
    this.labels = labels;
  }

  public Integer getTopK() {
    return topK;
  }

  public void setTopK(Integer topK) {
    this.topK = topK;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signature s
        && Objects.equals(input, s.input)
        && Objects.equals(features, s.features)
        && Objects.equals(output, s.output)
        && Objects.equals(labels, s.labels)
        && Objects.equals(topK, s.topK);
  }

  @Override
  public int hashCode() {
    return Objects.hash(input, features, output, labels, topK);
  }
}
