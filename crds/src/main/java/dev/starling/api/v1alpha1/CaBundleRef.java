package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * The ConfigMap key holding PEM CA certificates that an https:// model server's certificate chains
 * to. A ConfigMap, not a Secret: CA certificates are public, and the operator then needs no Secret
 * permission for them. The default key {@code ca.crt} is the one Kubernetes' own kube-root-ca.crt
 * ConfigMap and cert-manager's Secrets use.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CaBundleRef {

  public static final String DEFAULT_KEY = "ca.crt";

  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the ConfigMap, in the ModelDeployment's namespace.")
  private String name;

  @Size(min = 1, max = 253)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription(
      "Key in the ConfigMap holding one or more PEM certificates. Defaults to ca.crt.")
  private String key;

  public CaBundleRef() {}

  public CaBundleRef(String name, String key) {
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
    return o instanceof CaBundleRef r && Objects.equals(name, r.name) && Objects.equals(key, r.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key);
  }
}
