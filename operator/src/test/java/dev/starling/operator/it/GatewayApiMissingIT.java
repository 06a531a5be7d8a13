package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster without the Gateway API CRDs: a gateway-api-mode ModelDeployment says so (condition and
 * Event naming the CRD), builtin mode keeps working, the operator does not crash, and installing
 * the CRDs later is picked up without a restart.
 */
@ExtendWith(TestWorldExtension.class)
class GatewayApiMissingIT {

  private static final Duration READY = Duration.ofSeconds(120);

  @Test
  void gatewayModeWithoutTheCrdsIsDegradedAndBuiltinStillWorks(TestWorld world, TestNamespace ns) {
    world.uninstallHttpRoutes();
    try {
      ns.create(ns.sample("iris-gateway.yaml"));
      await()
          .atMost(READY)
          .untilAsserted(
              () -> {
                ModelDeployment md = ns.get("iris-gateway");
                assertThat(md.getStatus()).isNotNull();
                Condition degraded =
                    Conditions.find(md.getStatus().getConditions(), Conditions.DEGRADED)
                        .orElseThrow();
                assertThat(degraded.getStatus()).isEqualTo("True");
                assertThat(degraded.getReason()).isEqualTo("GatewayAPINotInstalled");
                assertThat(degraded.getMessage()).contains("httproutes.gateway.networking.k8s.io");
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(ns.admin().v1().events().inNamespace(ns.name()).list().getItems())
                      .anyMatch(
                          e ->
                              "GatewayAPINotInstalled".equals(e.getReason())
                                  && "Warning".equals(e.getType())
                                  && e.getMessage().contains("httproutes")));

      // the operator still serves builtin mode meanwhile
      ns.create(ns.sample("iris.yaml"));
      ns.awaitReady("iris", READY);
      // one version: nothing to route, so no router
      assertThat(ns.children("iris").get("Deployment")).containsExactly("iris-v1");
    } finally {
      world.installGatewayApi();
    }

    // installed later: picked up without a restart
    ns.awaitReady("iris-gateway", READY);
    assertThat(
            ns.admin()
                .genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
                .inNamespace(ns.name())
                .withName("iris-gateway")
                .get())
        .isNotNull();
  }
}
