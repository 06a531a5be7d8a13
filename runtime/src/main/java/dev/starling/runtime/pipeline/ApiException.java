package dev.starling.runtime.pipeline;

/**
 * A failure the client is told about: an HTTP status and a message that names the problem. The one
 * place that turns these into responses is {@code http.ErrorResponses}.
 */
public class ApiException extends RuntimeException {
  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
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
