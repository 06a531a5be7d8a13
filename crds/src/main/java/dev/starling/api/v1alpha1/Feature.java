package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/**
 * One named feature of a tabular model and the values it accepts. Its {@code default} is written as
 * a string ("35", "true", "US") and CEL checks it against {@code type}; the operator renders it
 * typed into runtime.yaml. A structural schema cannot hold "a number, a boolean or a string" in one
 * field, and an untyped (preserve-unknown-fields) value is invisible to CEL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.type) || self.type != 'category' || (has(self.values) && size(self.values) > 0)",
    message = "a category feature needs its values",
    fieldPath = ".values",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.min) || !has(self.max) || self.min <= self.max",
    message = "min must not be above max",
    fieldPath = ".min",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.default) || (has(self.type) && self.type == 'bool'"
            + " ? self.default in ['true', 'false']"
            + " : has(self.type) && self.type == 'category'"
            + " ? has(self.values) && self.default in self.values"
            + " : has(self.type) && self.type == 'int'"
            + " ? self.default.matches('^-?[0-9]+$')"
            + " : self.default.matches('^-?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$'))",
    message =
        "default must fit the type: a number for float (the default type), a whole number for"
            + " int, 'true' or 'false' for bool, one of values for category",
    fieldPath = ".default",
    reason = "FieldValueInvalid")
public class Feature {

  @Required
  @Size(min = 1, max = 128)
  @Pattern("^[A-Za-z_][A-Za-z0-9_.-]*$")
  @JsonPropertyDescription(
      "The feature's name as clients send it (a JSON key), e.g. 'amount'. Letters, digits, '_',"
          + " '.', '-'; not starting with a digit.")
  private String name;

  @ValidationRule(
      value = "self in ['float', 'int', 'bool', 'category']",
      message = "must be float, int, bool or category",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "float, int, bool (true = 1) or category (one of values, sent as a string and encoded as"
          + " its index in values). Defaults to float.")
  private String type;

  @JsonPropertyDescription("Smallest value accepted (float and int); smaller values are refused.")
  private Double min;

  @JsonPropertyDescription("Largest value accepted (float and int); larger values are refused.")
  private Double max;

  @JsonProperty("default")
  @Size(max = 128)
  @JsonPropertyDescription(
      "The value used when a request leaves the feature out, written as a string: a number for"
          + " float and int (\"35\"), \"true\" or \"false\" for bool, one of values for category."
          + " Without it the feature is required.")
  private String defaultValue;

  @Size(max = 256)
  @JsonPropertyDescription(
      "The values of a category feature, in the order the model encodes them (index 0, 1, ...);"
          + " up to 256, each up to 128 characters.")
  private List<@Size(max = 128) String> values;

  public Feature() {}

  public Feature(String name, String type) {
    this.name = name;
    this.type = type;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public Double getMin() {
    return min;
  }

  public void setMin(Double min) {
    this.min = min;
  }

  public Double getMax() {
    return max;
  }

  public void setMax(Double max) {
    this.max = max;
  }

  public String getDefaultValue() {
    return defaultValue;
  }

  public void setDefaultValue(String defaultValue) {
    this.defaultValue = defaultValue;
  }

  public List<String> getValues() {
    return values;
  }

  public void setValues(List<String> values) {
    this.values = values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Feature f
        && Objects.equals(name, f.name)
        && Objects.equals(type, f.type)
        && Objects.equals(min, f.min)
        && Objects.equals(max, f.max)
        && Objects.equals(defaultValue, f.defaultValue)
        && Objects.equals(values, f.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, min, max, defaultValue, values);
  }
}
