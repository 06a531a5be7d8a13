package dev.starling.operator.dependent;

import static dev.starling.operator.TestingModelDeployments.fraud;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceDependentTest {

  /**
   * Every ClusterIP is a serialized allocation in the API server, so a ModelDeployment asks for one
   * per version plus the stable entry point, and nothing that duplicates another selector.
   */
  @Test
  void builtinModeHasOneClusterIpPerVersionAndTheStableEntryPoint() {
    var md = fraud();
    var services =
        new ServiceDependent().desired(md, TrafficPlan.decide(md, Map.of("v1", 2, "v2", 1)));
    assertThat(services)
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("fraud", "fraud-v1", "fraud-v2");
    assertThat(services)
        .extracting(Service::getSpec)
        .extracting(s -> s.getSelector())
        .doesNotHaveDuplicates();
  }
}
