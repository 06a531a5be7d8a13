package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;

/**
 * Services: {@code <md>-<v>} per version, and, in gateway-api mode, {@code <md>} selecting one
 * version's pods (in builtin mode {@link RouterFactory#stable} selects the router instead).
 */
public final class ServiceFactory {
  /** {@code spec.clusterIP} of a headless Service. */
  public static final String HEADLESS = "None";

  private ServiceFactory() {}

  /**
   * {@code <md>-<v>}. In builtin mode it is headless: its DNS name answers with the version's ready
   * pod addresses, and the router balances over those itself (its keep-alive connections through a
   * ClusterIP stayed pinned by kube-proxy to the pods they first reached, so pods the HPA added got
   * no router traffic). It also spares the API server a ClusterIP allocation per version: they are
   * made one at a time cluster-wide, and they paced the creation of many ModelDeployments. In
   * gateway-api mode it keeps a ClusterIP: Gateway implementations differ in how they treat
   * headless backends.
   */
  public static Service version(ModelDeployment md, ModelVersion v) {
    Service s =
        service(
            md,
            Names.version(md, v),
            Names.versionLabels(md, v, "predictor"),
            Names.versionSelector(md, v));
    if (TrafficPlan.builtin(md)) {
      s.getSpec().setClusterIP(HEADLESS);
    }
    return s;
  }

  /** True when {@code s} is headless (no ClusterIP). */
  public static boolean headless(Service s) {
    return s.getSpec() != null && HEADLESS.equals(s.getSpec().getClusterIP());
  }

  /** {@code <md>} selecting the primary version by desired weight. */
  public static Service stable(ModelDeployment md) {
    return stable(md, VersionDefaults.primary(md.getSpec()).getName());
  }

  /**
   * {@code <md>} selecting one version's pods: in gateway-api mode traffic is split at the Gateway,
   * and callers inside the cluster that use this Service directly reach the named version (the one
   * with the largest effective weight), without a split.
   */
  public static Service stable(ModelDeployment md, String version) {
    return service(
        md,
        md.getMetadata().getName(),
        Names.labels(md, "entrypoint"),
        Map.of(
            Names.LABEL_MODEL_DEPLOYMENT,
            md.getMetadata().getName(),
            Names.LABEL_VERSION,
            version));
  }

  /** A Service of type ClusterIP on the runtime's named {@code http} port (versions, router). */
  static Service service(
      ModelDeployment md, String name, Map<String, String> labels, Map<String, String> selector) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector)
        .addNewPort()
        .withName("http")
        .withPort(Names.HTTP_PORT)
        .withTargetPort(new IntOrString("http"))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
