package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.desired.ConfigMapFactory;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.RouterConfigFactory;
import dev.starling.operator.desired.RouterFactory;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;

/** One runtime.yaml ConfigMap per version, and router.yaml while there is a builtin router. */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            itemStore = CompactItemStore.OwnFields.class))
public class ConfigMapDependent extends VersionBulkDependent<ConfigMap> {

  public ConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  List<ConfigMap> desired(ModelDeployment md, TrafficPlan plan) {
    List<ConfigMap> maps = new ArrayList<>();
    md.getSpec().getVersions().forEach(v -> maps.add(ConfigMapFactory.create(md, v)));
    if (plan.router().kept()) {
      maps.add(RouterFactory.configMap(md, RouterConfigFactory.render(md, plan.routerWeights())));
    }
    return maps;
  }
}
