package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** How live traffic reaches the versions: Starling's own router or a Gateway API HTTPRoute. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.mode) || self.mode != 'gateway-api' || has(self.gatewayRef)",
    message = "gatewayRef is required when mode is gateway-api",
    fieldPath = ".gatewayRef",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.mode) || self.mode != 'gateway-api' || !has(self.sticky)",
    message = "sticky is only supported in builtin mode (HTTPRoute has no sticky sessions in v1)",
    fieldPath = ".sticky",
    reason = "FieldValueForbidden")
public class Traffic {

  public static final String BUILTIN = "builtin";
  public static final String GATEWAY_API = "gateway-api";

  @ValidationRule(
      value = "self in ['builtin', 'gateway-api']",
      message = "must be builtin or gateway-api",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "'builtin' (default): a Starling router Deployment, Service and HPA split traffic by exact"
          + " weights; with one version and no mirror there is nothing to split, so there is no"
          + " router and the Service selects the version's pods. 'gateway-api': an HTTPRoute"
          + " (gateway.networking.k8s.io/v1) attached to gatewayRef carries the weights instead.")
  private String mode;

  @JsonPropertyDescription("The Gateway the HTTPRoute attaches to; required in gateway-api mode.")
  private GatewayRef gatewayRef;

  @Size(max = 64)
  @Pattern("^[A-Za-z0-9][A-Za-z0-9-]*$")
  @JsonPropertyDescription(
      "Request header that pins a request to the version it names (e.g. 'x-starling-version: v2'),"
          + " weight 0 included: test a version in production before it takes traffic. Off when"
          + " unset. Not looked at while there is one version (builtin mode without a router):"
          + " that version answers.")
  private String pinHeader;

  @JsonPropertyDescription(
      "Keep callers on one version while the weights hold, keyed by a request header.")
  private Sticky sticky;

  @JsonPropertyDescription(
      "Copy a share of live requests to a shadow version; its answers are compared with the live"
          + " ones and never returned.")
  private Mirror mirror;

  @JsonPropertyDescription(
      "Sizing of the builtin router (replica bounds, CPU target, container resources); ignored"
          + " in gateway-api mode, kept while there is no router (one version) and applied once"
          + " one exists. Defaults to 1 to 5 replicas at 70% CPU with requests of 100m CPU and"
          + " 128Mi memory.")
  private Router router;

  public Traffic() {}

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  /** The mode with its default applied. */
  @JsonIgnore
  public boolean gatewayApi() {
    return GATEWAY_API.equals(mode);
  }

  public GatewayRef getGatewayRef() {
    return gatewayRef;
  }

  public void setGatewayRef(GatewayRef gatewayRef) {
    this.gatewayRef = gatewayRef;
  }

  public String getPinHeader() {
    return pinHeader;
  }

  public void setPinHeader(String pinHeader) {
    this.pinHeader = pinHeader;
  }

  public Sticky getSticky() {
    return sticky;
  }

  public void setSticky(Sticky sticky) {
    this.sticky = sticky;
  }

  public Mirror getMirror() {
    return mirror;
  }

  public void setMirror(Mirror mirror) {
    this.mirror = mirror;
  }

  public Router getRouter() {
    return router;
  }

  public void setRouter(Router router) {
    this.router = router;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Traffic t
        && Objects.equals(mode, t.mode)
        && Objects.equals(gatewayRef, t.gatewayRef)
        && Objects.equals(pinHeader, t.pinHeader)
        && Objects.equals(sticky, t.sticky)
        && Objects.equals(mirror, t.mirror)
        && Objects.equals(router, t.router);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, gatewayRef, pinHeader, sticky, mirror, router);
  }
}
