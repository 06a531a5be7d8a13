package dev.starling.runtime.security;

import dev.starling.runtime.pipeline.ApiException;

/**
 * The answers to refused requests: 401 without a valid key, 429 over the rate. The header each
 * needs travels with the exception; {@code http.ErrorResponses} (or the inference fast path) writes
 * it with the status and {@code {"error"}} body like for any other failure.
 */
final class Rejections {
  private Rejections() {}

  /** The same answer for a missing and a wrong key, so a caller cannot tell which. */
  static ApiException unauthorized() {
    return ApiException.unauthorized("missing or invalid API key", "Bearer");
  }

  /** Retry-After is whole seconds, rounded up: 1 ms to wait → 1, 1.2 s → 2. */
  static ApiException rateLimited(long nanosToWait) {
    long seconds = retryAfterSeconds(nanosToWait);
    return new ApiException(
        429,
        "rate limit exceeded; retry in " + seconds + " s",
        (int) Math.min(Integer.MAX_VALUE, seconds));
  }

  static long retryAfterSeconds(long nanosToWait) {
    return Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L);
  }
}
