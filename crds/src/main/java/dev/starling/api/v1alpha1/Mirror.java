package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * Shadow traffic: a share of live requests copied to one version, answers compared not returned.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Mirror {

  @Required
  @Size(min = 1, max = ModelVersion.MAX_NAME_LENGTH)
  @JsonPropertyDescription(
      "The shadow version, one of spec.versions (usually with weight 0). It keeps running while it"
          + " is the mirror target.")
  private String version;

  @Required
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Share of live requests copied to the shadow, 0 to 100 percent.")
  private Integer percent;

  @Min(0)
  @JsonPropertyDescription(
      "If set, a shadow answer whose largest absolute score difference from the live answer"
          + " exceeds this counts as a disagreement even with the same label.")
  private Double maxAbsDiff;

  public Mirror() {}

  public Mirror(String version, Integer percent) {
    this.version = version;
    this.percent = percent;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getPercent() {
    return percent;
  }

  public void setPercent(Integer percent) {
    this.percent = percent;
  }

  public Double getMaxAbsDiff() {
    return maxAbsDiff;
  }

  public void setMaxAbsDiff(Double maxAbsDiff) {
    this.maxAbsDiff = maxAbsDiff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mirror m
        && Objects.equals(version, m.version)
        && Objects.equals(percent, m.percent)
        && Objects.equals(maxAbsDiff, m.maxAbsDiff);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, percent, maxAbsDiff);
  }
}
