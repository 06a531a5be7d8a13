package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Dynamic batching: concurrent requests merged into one ONNX Runtime call. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Batching {

  @Min(1)
  @Max(4096)
  @JsonPropertyDescription(
      "Most rows stacked into one ONNX Runtime call, 1 to 4096; 1 turns batching off. Only models"
          + " whose inputs and outputs all have a free first dimension are batched. Unset, batching"
          + " is opportunistic: requests of a model whose calls take 50 microseconds or more that are already"
          + " waiting for an inference permit are merged into the next call (up to 32 rows, less"
          + " where the model stops gaining per row), so an idle server merges nothing.")
  private Integer maxBatchSize;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @ValidationRule(
      value = "duration(self) <= duration('1s')",
      message = "must be at most 1s",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Longest a request waits for company, 0s to 1s; it waits only while more requests of the"
          + " model are arriving. Defaults to 0s."
          + Durations.SYNTAX)
  private String maxDelay;

  public Batching() {}

  public Batching(Integer maxBatchSize, String maxDelay) {
    this.maxBatchSize = maxBatchSize;
    this.maxDelay = maxDelay;
  }

  public Integer getMaxBatchSize() {
    return maxBatchSize;
  }

  public void setMaxBatchSize(Integer maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  public String getMaxDelay() {
    return maxDelay;
  }

  public void setMaxDelay(String maxDelay) {
    this.maxDelay = maxDelay;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Batching b
        && Objects.equals(maxBatchSize, b.maxBatchSize)
        && Objects.equals(maxDelay, b.maxDelay);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxBatchSize, maxDelay);
  }
}
