package dev.starling.runtime.router;

import dev.starling.runtime.router.backend.BackendClient;

/** What every proxied request needs: the shared client, routing state, mirror and meters. */
interface ProxyContext {
  BackendClient client();

  RoutingState state();

  Mirror mirror();

  RouterMetrics metrics();

  /** True once shutdown began: answers close their connection. */
  boolean draining();

  /** Called once per proxied request when it is taken on. */
  void enter();

  /** Called once per proxied request when its answer is about to be written. */
  void leave();
}
