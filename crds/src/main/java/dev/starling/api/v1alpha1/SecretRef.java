package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A Secret in the ModelDeployment's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretRef {

  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the Secret, in the ModelDeployment's namespace.")
  private String name;

  public SecretRef() {}

  public SecretRef(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretRef s && Objects.equals(name, s.name);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(name);
  }
}
