package dev.starling.operator.dependent;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static dev.starling.operator.TestingModelDeployments.iris;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.api.v1alpha1.GatewayRef;
import dev.starling.api.v1alpha1.Traffic;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.ServiceFactory;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceDependentTest {

  /**
   * Every ClusterIP is a serialized allocation in the API server, so in builtin mode a
   * ModelDeployment asks for one only for its stable entry point (the router); the version Services
   * are headless (the router resolves them to pod addresses), and nothing duplicates a selector.
   */
  @Test
  void builtinModeHasOneClusterIpTheStableEntryPointAndHeadlessVersionServices() {
    var md = fraud();
    var services =
        new ServiceDependent().desired(md, TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1)));
    assertThat(services)
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("fraud", "fraud-v1", "fraud-v2");
    assertThat(services)
        .filteredOn(s -> !ServiceFactory.headless(s))
        .extracting(s -> s.getMetadata().getName())
        .containsExactly("fraud");
    assertThat(services)
        .extracting(Service::getSpec)
        .extracting(s -> s.getSelector())
        .doesNotHaveDuplicates();
  }

  /**
   * With one version there is nothing to route: {@code <md>} selects the version's pods and no
   * router object is desired; the ClusterIP is still only {@code <md>}'s.
   */
  @Test
  void oneVersionInBuiltinModeSelectsTheVersionPodsDirectly() {
    var md = iris();
    var plan = TrafficPlan.decide(md, Map.of("v1", 1));
    var services = new ServiceDependent().desired(md, plan);
    assertThat(services)
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("iris", "iris-v1");
    Service stable =
        services.stream().filter(s -> s.getMetadata().getName().equals("iris")).findFirst().get();
    assertThat(stable.getSpec().getSelector())
        .isEqualTo(Map.of(Names.LABEL_MODEL_DEPLOYMENT, "iris", Names.LABEL_VERSION, "v1"));
    assertThat(ServiceFactory.headless(stable)).isFalse();
    assertThat(new DeploymentDependent().desired(md, plan))
        .extracting(d -> d.getMetadata().getName())
        .containsExactly("iris-v1");
    assertThat(new HpaDependent().desired(md, plan))
        .extracting(h -> h.getMetadata().getName())
        .containsExactly("iris-v1");
    assertThat(new ConfigMapDependent().desired(md, plan))
        .extracting(c -> c.getMetadata().getName())
        .containsExactly("iris-v1");
  }

  /** Gateway implementations differ on headless backends: there every Service keeps a ClusterIP. */
  @Test
  void gatewayApiModeKeepsClusterIpVersionServices() {
    var md = fraud();
    if (md.getSpec().getTraffic() == null) {
      md.getSpec().setTraffic(new Traffic());
    }
    md.getSpec().getTraffic().setMode(Traffic.GATEWAY_API);
    md.getSpec().getTraffic().setGatewayRef(new GatewayRef("public", "infra", null));
    var services =
        new ServiceDependent().desired(md, TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1)));
    assertThat(services).hasSize(3).noneMatch(ServiceFactory::headless);
    assertThat(services).allSatisfy(s -> assertThat(s.getSpec().getClusterIP()).isNull());
  }
}
