package dev.starling.operator.dependent;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.cache.CompactItemStore;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.RouterFactory;
import dev.starling.operator.desired.ServiceFactory;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stable Service {@code <md>} (the router's pods while the builtin router serves; otherwise,
 * and in gateway-api mode, the version with the largest effective weight) and one Service per
 * version (the router's and the HTTPRoute's backends; headless in builtin mode, see {@link
 * ServiceFactory#version}).
 *
 * <p>A Service's ClusterIP cannot change once set, so a version Service that has to switch between
 * headless and ClusterIP (an installation from before headless version Services, or a change of
 * {@code spec.traffic.mode}) is deleted and created again instead of applied over.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Names.MANAGED_BY_SELECTOR,
            itemStore = CompactItemStore.OwnFields.class))
public class ServiceDependent extends VersionBulkDependent<Service> {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceDependent.class);

  public ServiceDependent() {
    super(Service.class);
  }

  @Override
  public Service update(
      Service actual, Service desired, ModelDeployment md, Context<ModelDeployment> context) {
    if (ServiceFactory.headless(actual) != ServiceFactory.headless(desired)) {
      LOG.info(
          "replacing Service {}/{}: {} (spec.clusterIP cannot change in place)",
          actual.getMetadata().getNamespace(),
          actual.getMetadata().getName(),
          ServiceFactory.headless(desired) ? "it becomes headless" : "it gets a ClusterIP");
      context.getClient().resource(actual).withTimeout(30, TimeUnit.SECONDS).delete();
      return create(desired, md, context);
    }
    return super.update(actual, desired, md, context);
  }

  @Override
  List<Service> desired(ModelDeployment md, TrafficPlan plan) {
    List<Service> services = new ArrayList<>();
    if (plan.router().serves()) {
      services.add(RouterFactory.stable(md));
    } else {
      services.add(ServiceFactory.stable(md, plan.primary(md)));
    }
    md.getSpec().getVersions().forEach(v -> services.add(ServiceFactory.version(md, v)));
    return services;
  }
}
