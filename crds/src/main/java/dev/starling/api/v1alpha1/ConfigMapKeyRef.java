package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** One key of a ConfigMap in the ModelDeployment's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyRef {

  public static final String DEFAULT_KEY = "profile.json";

  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the ConfigMap, in the ModelDeployment's namespace.")
  private String name;

  @Size(min = 1, max = 253)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription("Key in the ConfigMap that holds the profile. Defaults to profile.json.")
  private String key;

  public ConfigMapKeyRef() {}

  public ConfigMapKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  /** The key with its default applied. */
  @JsonIgnore
  public String keyOrDefault() {
    return key == null ? DEFAULT_KEY : key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigMapKeyRef r
        && Objects.equals(name, r.name)
        && Objects.equals(key, r.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key);
  }
}
