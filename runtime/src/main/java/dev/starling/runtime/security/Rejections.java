package dev.starling.runtime.security;

import dev.starling.runtime.pipeline.ApiException;
import io.javalin.http.Context;

/**
 * The answers to refused requests: 401 without a valid key, 429 over the rate. The header each
 * needs goes on the response here; {@code http.ErrorResponses} then writes the status and {@code
 * {"error"}} body of the thrown exception like for any other failure.
 */
final class Rejections {
  private Rejections() {}

  /** The same answer for a missing and a wrong key, so a caller cannot tell which. */
  static ApiException unauthorized(Context ctx) {
    ctx.header("WWW-Authenticate", "Bearer");
    return new ApiException(401, "missing or invalid API key");
  }

  /** Retry-After is whole seconds, rounded up: 1 ms to wait → 1, 1.2 s → 2. */
  static ApiException rateLimited(Context ctx, long nanosToWait) {
    long seconds = retryAfterSeconds(nanosToWait);
    ctx.header("Retry-After", Long.toString(seconds));
    return new ApiException(429, "rate limit exceeded; retry in " + seconds + " s");
  }

  static long retryAfterSeconds(long nanosToWait) {
    return Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L);
  }
}
