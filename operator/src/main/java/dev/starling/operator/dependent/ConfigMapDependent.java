package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.desired.ConfigMapFactory;
import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;

/** One runtime.yaml ConfigMap per version. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_BY_SELECTOR))
public class ConfigMapDependent extends VersionBulkDependent<ConfigMap> {

  public ConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  List<ConfigMap> desired(ModelDeployment md) {
    return md.getSpec().getVersions().stream().map(v -> ConfigMapFactory.create(md, v)).toList();
  }
}
