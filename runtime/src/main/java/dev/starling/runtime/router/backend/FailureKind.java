package dev.starling.runtime.router.backend;

/**
 * Why an exchange with a backend failed, as far as the router may act on it. Only {@link #NOT_SENT}
 * may be sent again elsewhere: every other kind happened after the request may have reached the
 * backend.
 */
public enum FailureKind {
  /** No connection could be made: no byte of the request left. */
  NOT_SENT("connect", 503),
  /** The endpoint already has {@code proxy.maxConnectionsPerEndpoint} requests in flight. */
  BUSY("busy", 503),
  /** No answer within {@code proxy.requestTimeout}; the inference may have run. */
  TIMEOUT("timeout", 504),
  /** The answer was larger than {@code proxy.maxResponseBytes}. */
  TOO_LARGE("response_too_large", 502),
  /** The connection broke or the answer was not HTTP after the request may have reached it. */
  BROKEN("broken", 502);

  private final String reason;
  private final int status;

  FailureKind(String reason, int status) {
    this.reason = reason;
    this.status = status;
  }

  /** The {@code reason} label of {@code starling_router_backend_errors_total}. */
  public String reason() {
    return reason;
  }

  /** The status the router answers the caller with. */
  public int status() {
    return status;
  }
}
