package dev.starling.operator.desired;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;

/** The ConfigMap {@code <md>-<v>} holding one version's runtime.yaml. */
public final class ConfigMapFactory {

  private ConfigMapFactory() {}

  public static ConfigMap create(ModelDeployment md, ModelVersion v) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.version(md, v))
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(Names.versionLabels(md, v, "config"))
        .endMetadata()
        .withData(Map.of(Names.RUNTIME_CONFIG_KEY, RuntimeConfigFactory.render(md, v)))
        .build();
  }
}
