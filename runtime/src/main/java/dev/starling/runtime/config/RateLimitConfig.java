package dev.starling.runtime.config;

/**
 * Token-bucket rate limits per client (the API key's id when auth is on, else the client address):
 * on when {@code requestsPerSecond} is set. {@code burst} is the bucket's size (default: one
 * second's worth, at least 1); {@code maxClients} bounds how many buckets are kept.
 */
public record RateLimitConfig(Double requestsPerSecond, Integer burst, Integer maxClients) {

  public RateLimitConfig {
    burst =
        burst != null
            ? burst
            : requestsPerSecond == null ? 1 : (int) Math.max(1, Math.ceil(requestsPerSecond));
    maxClients = maxClients == null ? 100_000 : maxClients;
  }

  public static RateLimitConfig defaults() {
    return new RateLimitConfig(null, null, null);
  }

  public boolean enabled() {
    return requestsPerSecond != null;
  }

  /**
   * Parses the {@code --rate-limit} flag: {@code RPS} or {@code RPS:BURST}, e.g. {@code 50:100}.
   */
  public static RateLimitConfig parse(String flag, RateLimitConfig base) {
    String[] parts = flag.trim().split(":", -1);
    try {
      if (parts.length > 2) {
        throw new NumberFormatException();
      }
      double rps = Double.parseDouble(parts[0]);
      Integer burst = parts.length == 2 ? Integer.valueOf(parts[1]) : null;
      return new RateLimitConfig(rps, burst, base.maxClients());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "--rate-limit: '" + flag + "' is not RPS or RPS:BURST (e.g. 50 or 50:100)");
    }
  }
}
