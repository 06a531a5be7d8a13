package dev.starling.operator.dependent;

import dev.starling.operator.OperatorSettings;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.dependent.DependentResourceSpec;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResourceFactory;

/** Creates dependents the default way, then hands them the operator's settings. */
@SuppressWarnings({"rawtypes", "unchecked"})
public final class SettingsDependentFactory
    implements DependentResourceFactory<ControllerConfiguration<?>, DependentResourceSpec> {

  private final OperatorSettings settings;

  public SettingsDependentFactory(OperatorSettings settings) {
    this.settings = settings;
  }

  @Override
  public DependentResource createFrom(
      DependentResourceSpec spec, ControllerConfiguration<?> configuration) {
    DependentResource dependent = DEFAULT.createFrom(spec, configuration);
    if (dependent instanceof DeploymentDependent deployments) {
      deployments.defaultImage(settings.runtimeImage());
    }
    return dependent;
  }
}
