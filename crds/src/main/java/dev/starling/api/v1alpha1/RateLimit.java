package dev.starling.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** Token-bucket rate limits per client, enforced by each pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RateLimit {

  @Required
  @Min(value = 0, inclusive = false)
  @Max(1000000000)
  @JsonPropertyDescription(
      "Requests per second each client may send to one pod (tokens refilled per second, above 0)."
          + " A client is its API key's id when auth is on, else its address. Over the limit a"
          + " request gets 429 with Retry-After.")
  private Double requestsPerSecond;

  @Min(1)
  @Max(1000000000)
  @JsonPropertyDescription(
      "Bucket size: how many requests a client may send at once after a quiet spell. Defaults to"
          + " one second's worth (requestsPerSecond rounded up).")
  private Integer burst;

  @Min(1)
  @Max(100000000)
  @JsonPropertyDescription(
      "Most clients a pod keeps a bucket for (idle buckets are dropped once full again); a flood"
          + " of new client addresses costs at most this many. Defaults to 100000.")
  private Integer maxClients;

  public RateLimit() {}

  public RateLimit(Double requestsPerSecond, Integer burst) {
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
  }

  public Double getRequestsPerSecond() {
    return requestsPerSecond;
  }

  public void setRequestsPerSecond(Double requestsPerSecond) {
    this.requestsPerSecond = requestsPerSecond;
  }

  public Integer getBurst() {
    return burst;
  }

  public void setBurst(Integer burst) {
    this.burst = burst;
  }

  public Integer getMaxClients() {
    return maxClients;
  }

  public void setMaxClients(Integer maxClients) {
    this.maxClients = maxClients;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimit r
        && Objects.equals(requestsPerSecond, r.requestsPerSecond)
        && Objects.equals(burst, r.burst)
        && Objects.equals(maxClients, r.maxClients);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestsPerSecond, burst, maxClients);
  }
}
