package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** Overload protection: how much work a pod accepts before it sheds requests. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Inference {

  @Min(1)
  @Max(1000000)
  @JsonPropertyDescription(
      "Requests a pod holds at once for the model (being decoded, queued or running; a body still"
          + " arriving takes its place once it is in), 1 to 1000000; past it a request gets an"
          + " immediate 503 with Retry-After instead of queueing."
          + " Defaults to 1024.")
  private Integer maxInflight;

  public Inference() {}

  public Inference(Integer maxInflight) {
    this.maxInflight = maxInflight;
  }

  public Integer getMaxInflight() {
    return maxInflight;
  }

  public void setMaxInflight(Integer maxInflight) {
    this.maxInflight = maxInflight;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Inference i && Objects.equals(maxInflight, i.maxInflight);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(maxInflight);
  }
}
