package dev.starling.operator.dependent;

import dev.starling.operator.desired.HttpRouteFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;

/**
 * Whether the cluster serves HTTPRoute (gateway.networking.k8s.io/v1), asked through API discovery
 * and remembered for a short while: a cluster without the Gateway API CRDs must not crash the
 * operator or hold up builtin-mode ModelDeployments, and CRDs installed later are picked up.
 */
public final class GatewayApi {

  public static final String CRD = "httproutes.gateway.networking.k8s.io";
  private static final long TTL_NANOS = Duration.ofSeconds(10).toNanos();

  private static volatile boolean installed;
  private static volatile long checkedAt;
  private static volatile boolean checked;

  private GatewayApi() {}

  /**
   * Forget the answer when the API server says HTTPRoutes are gone (404 on a route write): the next
   * reconciliation asks discovery again instead of failing until the cache expires.
   */
  public static void forgetOn(KubernetesClientException e) {
    if (e.getCode() == 404) {
      checked = false;
    }
  }

  public static boolean installed(KubernetesClient client) {
    long now = System.nanoTime();
    if (!checked || now - checkedAt > TTL_NANOS) {
      boolean found;
      try {
        found = client.supports(HttpRouteFactory.API_VERSION, HttpRouteFactory.KIND);
      } catch (KubernetesClientException e) {
        found = false;
      }
      installed = found;
      checkedAt = now;
      checked = true;
    }
    return installed;
  }
}
