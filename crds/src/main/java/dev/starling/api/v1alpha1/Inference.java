package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
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

  @Min(0)
  @Max(19)
  @JsonPropertyDescription(
      "How much lower in CPU priority (a Linux nice increment, 0 to 19) the model's longer"
          + " inference calls (estimated at 50 us or more) run than the rest of the pod's work"
          + " (accepting, parsing, shedding, answering), on threads of their own; the JVM's JIT"
          + " compiler threads are lowered to the same value. For compute-heavy models under"
          + " overload: 503s and health checks then no longer wait behind running inferences for"
          + " a core. Nice values only rank threads within the"
          + " pod's own CPU share. Linux only; where it cannot be applied the pod logs one"
          + " warning and runs as with 0. Changing it restarts the pods."
          + " Defaults to 0 (off).")
  private Integer niceness;

  @Pattern("^(fixed|adaptive)$")
  @JsonPropertyDescription(
      "How the pod's in-flight bound behaves under load: fixed admits up to maxInflight requests"
          + " whatever their latency (under overload they queue for the inference threads);"
          + " adaptive starts at one request per inference thread and moves between 1 and"
          + " maxInflight by the latency answers get (Netflix concurrency-limits' gradient"
          + " algorithm: up while their windowed p90 stays within 1.2x its long-term level, down"
          + " in proportion when it rises), so admitted requests keep their latency and the rest"
          + " get the immediate 503. Applied live, without a restart."
          + " Defaults to fixed.")
  private String inflightLimit;

  public Inference() {}

  public Inference(Integer maxInflight) {
    this.maxInflight = maxInflight;
  }

  public Inference(Integer maxInflight, Integer niceness) {
    this.maxInflight = maxInflight;
    this.niceness = niceness;
  }

  public Integer getMaxInflight() {
    return maxInflight;
  }

  public void setMaxInflight(Integer maxInflight) {
    this.maxInflight = maxInflight;
  }

  public String getInflightLimit() {
    return inflightLimit;
  }

  public void setInflightLimit(String inflightLimit) {
    this.inflightLimit = inflightLimit;
  }

  public Integer getNiceness() {
    return niceness;
  }

  public void setNiceness(Integer niceness) {
    this.niceness = niceness;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Inference i
        && Objects.equals(maxInflight, i.maxInflight)
        && Objects.equals(niceness, i.niceness)
        && Objects.equals(inflightLimit, i.inflightLimit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxInflight, niceness, inflightLimit);
  }
}
