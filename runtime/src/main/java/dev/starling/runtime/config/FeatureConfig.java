package dev.starling.runtime.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One named feature of a tabular model and the value it accepts. */
public record FeatureConfig(
    String name,
    FeatureType type,
    Double min,
    Double max,
    @JsonProperty("default") Object defaultValue,
    List<String> values) {

  public FeatureConfig {
    type = type == null ? FeatureType.FLOAT : type;
    values = values == null ? List.of() : List.copyOf(values);
  }

  /** The JSON type a feature takes and how it becomes a number. */
  public enum FeatureType {
    @JsonProperty("float")
    FLOAT,
    @JsonProperty("int")
    INT,
    @JsonProperty("bool")
    BOOL,
    /** A string from {@code values}, encoded as its index in that list. */
    @JsonProperty("category")
    CATEGORY
  }
}
