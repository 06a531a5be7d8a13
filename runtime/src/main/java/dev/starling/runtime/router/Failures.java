package dev.starling.runtime.router;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;

/** Sorts a failed exchange with a backend into what the router may do about it. */
final class Failures {
  private Failures() {}

  /** What went wrong; {@link #NOT_SENT} is the only kind that may be retried. */
  enum Kind {
    /** No connection was made, so no byte of the request left: safe to send elsewhere. */
    NOT_SENT("connect", 503),
    /** The backend took longer than {@code proxy.requestTimeout}; the inference may have run. */
    TIMEOUT("timeout", 504),
    /** The answer was larger than {@code proxy.maxResponseBytes}. */
    TOO_LARGE("response_too_large", 502),
    /** The connection broke after the request may have reached the backend. */
    BROKEN("broken", 502);

    final String reason;
    final int status;

    Kind(String reason, int status) {
      this.reason = reason;
      this.status = status;
    }
  }

  static Kind classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException) {
        return Kind.NOT_SENT;
      }
      if (t instanceof SocketTimeoutException
          && String.valueOf(t.getMessage()).contains("Connect")) {
        return Kind.NOT_SENT; // Jetty's connect timeout: the TCP handshake never finished
      }
      if (t instanceof TimeoutException) {
        return Kind.TIMEOUT;
      }
      if (t instanceof IllegalArgumentException
          && String.valueOf(t.getMessage()).contains("Buffering capacity")) {
        return Kind.TOO_LARGE; // BufferingResponseListener's limit
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Kind.BROKEN;
  }

  /** A short description for the error body and the log. */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
  }
}
