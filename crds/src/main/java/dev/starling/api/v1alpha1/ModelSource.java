package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Where a version's ONNX file lives, the digest it must have and whom to trust for it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.caBundleRef) || self.uri.startsWith('https://')",
    message = "caBundleRef applies only to an https:// uri",
    fieldPath = ".caBundleRef",
    reason = "FieldValueInvalid")
public class ModelSource {

  @Required
  @Size(min = 1, max = 2048)
  @ValidationRule(
      value =
          "self.matches('^https://[^/]+/.+$')"
              + " || self.matches('^pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/[^/].*$')"
              + " || self.matches('^file:///.+$')",
      message =
          "must be https://host/path, pvc://<claim>/<path> or file:///<path in the runtime image>",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Location of the ONNX model: 'https://host/path/model.onnx' (downloaded and verified by an"
          + " init container), 'pvc://<claim>/<path>' (a PersistentVolumeClaim in the same"
          + " namespace, mounted read-only) or 'file:///<path>' (baked into the runtime image).")
  private String uri;

  @Size(max = 64)
  @ValidationRule(
      value = "self.matches('^[0-9a-fA-F]{64}$')",
      message = "must be 64 hexadecimal characters (a SHA-256 digest)",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Expected SHA-256 of the model file, 64 hex characters. On mismatch the version never"
          + " serves.")
  private String sha256;

  @JsonPropertyDescription(
      "CA certificates (PEM, a ConfigMap key) that the https:// model server's certificate chains"
          + " to, trusted by the init container's download in addition to the runtime image's"
          + " default CAs. For a private model server; a missing ConfigMap or key is reported on"
          + " the ModelDeployment (Degraded, ConfigMapNotFound / ConfigMapKeyNotFound).")
  private CaBundleRef caBundleRef;

  public ModelSource() {}

  public ModelSource(String uri, String sha256) {
    this.uri = uri;
    this.sha256 = sha256;
  }

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public CaBundleRef getCaBundleRef() {
    return caBundleRef;
  }

  public void setCaBundleRef(CaBundleRef caBundleRef) {
    this.caBundleRef = caBundleRef;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelSource s
        && Objects.equals(uri, s.uri)
        && Objects.equals(sha256, s.sha256)
        && Objects.equals(caBundleRef, s.caBundleRef);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uri, sha256, caBundleRef);
  }
}
