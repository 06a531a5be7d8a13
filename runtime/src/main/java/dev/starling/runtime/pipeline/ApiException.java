package dev.starling.runtime.pipeline;

/**
 * A failure the client is told about: an HTTP status and a message that names the problem. The one
 * place that turns these into responses is {@code http.ErrorResponses}.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final int retryAfterSeconds;
  private final String challenge;

  public ApiException(int status, String message) {
    this(status, message, 0);
  }

  public ApiException(int status, String message, int retryAfterSeconds) {
    this(status, message, retryAfterSeconds, null);
  }

  private ApiException(int status, String message, int retryAfterSeconds, String challenge) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
    this.challenge = challenge;
  }

  /** 401 with a {@code WWW-Authenticate} challenge ({@code Bearer}). */
  public static ApiException unauthorized(String message, String challenge) {
    return new ApiException(401, message, 0, challenge);
  }

  public int status() {
    return status;
  }

  /** Seconds for a {@code Retry-After} header (429, 503), or 0 for none. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The {@code WWW-Authenticate} value of a 401, or null. */
  public String challenge() {
    return challenge;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, message);
  }
}
