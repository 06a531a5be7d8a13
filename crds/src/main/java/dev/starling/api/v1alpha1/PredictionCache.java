package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** The prediction cache: answers to repeated inputs served without running the model. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PredictionCache {

  @Min(0)
  @Max(100000000)
  @JsonPropertyDescription(
      "Most cached answers per pod, 0 to 100000000; 0 turns the cache off. Defaults to 0 (off).")
  private Integer maxEntries;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @ValidationRule(
      value = "duration(self) > duration('0s')",
      message = "must be longer than 0s",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "How long a cached answer is served after it was computed. Defaults to 10m."
          + Durations.SYNTAX)
  private String ttl;

  public PredictionCache() {}

  public PredictionCache(Integer maxEntries, String ttl) {
    this.maxEntries = maxEntries;
    this.ttl = ttl;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof PredictionCache c
        && Objects.equals(maxEntries, c.maxEntries)
        && Objects.equals(ttl, c.ttl);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxEntries, ttl);
  }
}
