package dev.starling.runtime.router.backend;

/**
 * Why an exchange with a backend failed, as far as the router may act on it. Only {@link #NOT_SENT}
 * and {@link #CONNECT_TIMEOUT} may be sent again elsewhere ({@link #notSent()}): every other kind
 * happened after the request may have reached the backend.
 */
public enum FailureKind {
  /** The connection was refused (or could not be made at all): no byte of the request left. */
  NOT_SENT("connect", 503),
  /**
   * No connection within the connect timeout: no byte of the request left either, but unlike a
   * refusal this says little about the endpoint; on a CPU-starved node the connecting side itself
   * may not have run in time. Health checks count it as a timed-out check, not as a refusal.
   */
  CONNECT_TIMEOUT("connect_timeout", 503),
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

  /** No byte of the request left: it may be sent to another endpoint. */
  public boolean notSent() {
    return this == NOT_SENT || this == CONNECT_TIMEOUT;
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
