package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.BackendExchange;
import org.eclipse.jetty.http.HttpField;

/**
 * A request the router can send on, to the live version, a retry's endpoint or the shadow alike:
 * from Jetty's handler path ({@link ForwardedRequest}) or from the lean path ({@link RequestHead}).
 */
interface Forwardable {
  /** An exchange with {@code e} for this request; {@code extra} is one more header or null. */
  BackendExchange to(
      Endpoint e,
      HttpField extra,
      long timeoutMillis,
      int maxResponseBytes,
      BackendExchange.Listener listener);
}
