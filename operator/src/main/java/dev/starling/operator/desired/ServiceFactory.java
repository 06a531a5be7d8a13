package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;

/**
 * Services: {@code <md>-<v>} per version, and {@code <md>}, the stable entry point, which selects
 * the primary version's pods until traffic splitting lands.
 */
public final class ServiceFactory {

  private ServiceFactory() {}

  public static Service version(ModelDeployment md, ModelVersion v) {
    return service(
        md,
        Names.version(md, v),
        Names.versionLabels(md, v, "predictor"),
        Names.versionSelector(md, v));
  }

  public static Service stable(ModelDeployment md) {
    ModelVersion primary = VersionDefaults.primary(md.getSpec());
    return service(
        md,
        md.getMetadata().getName(),
        Names.labels(md, "entrypoint"),
        Names.versionSelector(md, primary));
  }

  private static Service service(
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
