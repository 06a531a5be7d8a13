package dev.starling.runtime.pipeline;

/**
 * A failure the client is told about: an HTTP status and a message that names the problem. The one
 * place that turns these into responses is {@code http.ErrorResponses}.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final int retryAfterSeconds;

  public ApiException(int status, String message) {
    this(status, message, 0);
  }

  public ApiException(int status, String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  /** Seconds for a {@code Retry-After} header (429, 503), or 0 for none. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
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
