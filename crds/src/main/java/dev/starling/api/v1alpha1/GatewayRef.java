package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A Gateway (gateway.networking.k8s.io) that the HTTPRoute attaches to as its parentRef. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayRef {

  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Name of the Gateway.")
  private String name;

  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("Namespace of the Gateway. Defaults to the ModelDeployment's.")
  private String namespace;

  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Listener of the Gateway to attach to. Defaults to all listeners.")
  private String sectionName;

  public GatewayRef() {}

  public GatewayRef(String name, String namespace, String sectionName) {
    this.name = name;
    this.namespace = namespace;
    this.sectionName = sectionName;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getSectionName() {
    return sectionName;
  }

  public void setSectionName(String sectionName) {
    this.sectionName = sectionName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GatewayRef g
        && Objects.equals(name, g.name)
        && Objects.equals(namespace, g.namespace)
        && Objects.equals(sectionName, g.sectionName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, namespace, sectionName);
  }
}
