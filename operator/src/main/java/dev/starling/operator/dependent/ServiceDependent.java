package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.RouterFactory;
import dev.starling.operator.desired.ServiceFactory;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;

/**
 * The stable Service {@code <md>} (the router's pods in builtin mode; in gateway-api mode the
 * version with the largest effective weight) and one Service per version (the router's and the
 * HTTPRoute's backends).
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            itemStore = CompactItemStore.OwnFields.class))
public class ServiceDependent extends VersionBulkDependent<Service> {

  public ServiceDependent() {
    super(Service.class);
  }

  @Override
  List<Service> desired(ModelDeployment md, TrafficPlan plan) {
    List<Service> services = new ArrayList<>();
    if (TrafficPlan.builtin(md)) {
      services.add(RouterFactory.stable(md));
    } else {
      services.add(ServiceFactory.stable(md, plan.primary(md)));
    }
    md.getSpec().getVersions().forEach(v -> services.add(ServiceFactory.version(md, v)));
    return services;
  }
}
