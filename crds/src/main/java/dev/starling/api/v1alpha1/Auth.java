package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** API-key authentication of inference requests, keys read from a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Auth {

  /** The Secret key whose value holds the API keys, one {@code id:key} line each. */
  public static final String API_KEYS_SECRET_KEY = "api-keys";

  @Required
  @JsonPropertyDescription(
      "The Secret holding the API keys under the key 'api-keys': one 'id:key' line per client"
          + " (keys at least 16 characters, '#' starts a comment). The runtime keeps only their"
          + " SHA-256 and re-reads the file when the Secret changes, without a restart. Clients"
          + " send 'Authorization: Bearer KEY' or 'x-api-key: KEY'; health endpoints stay open.")
  private SecretRef apiKeysSecretRef;

  @JsonPropertyDescription(
      "Require a key for /metrics too. Defaults to false (Prometheus scrapes without one).")
  private Boolean protectMetrics;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('100ms')",
      message = "must be at least 100ms",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "How often the runtime checks the mounted key file for a change, at least 100ms. Defaults"
          + " to 1s. The kubelet itself refreshes a changed Secret in the pod within about a"
          + " minute."
          + Durations.SYNTAX)
  private String reloadInterval;

  public Auth() {}

  public Auth(SecretRef apiKeysSecretRef, Boolean protectMetrics) {
    this.apiKeysSecretRef = apiKeysSecretRef;
    this.protectMetrics = protectMetrics;
  }

  public SecretRef getApiKeysSecretRef() {
    return apiKeysSecretRef;
  }

  public void setApiKeysSecretRef(SecretRef apiKeysSecretRef) {
    this.apiKeysSecretRef = apiKeysSecretRef;
  }

  public Boolean getProtectMetrics() {
    return protectMetrics;
  }

  public void setProtectMetrics(Boolean protectMetrics) {
    this.protectMetrics = protectMetrics;
  }

  public String getReloadInterval() {
    return reloadInterval;
  }

  public void setReloadInterval(String reloadInterval) {
    this.reloadInterval = reloadInterval;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Auth a
        && Objects.equals(apiKeysSecretRef, a.apiKeysSecretRef)
        && Objects.equals(protectMetrics, a.protectMetrics)
        && Objects.equals(reloadInterval, a.reloadInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(apiKeysSecretRef, protectMetrics, reloadInterval);
  }
}
