package dev.starling.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A namespace quota that refuses a child shows up as a condition and an Event, then heals. */
@ExtendWith(TestWorldExtension.class)
class QuotaRefusalIT {

  @Test
  void quotaRefusingConfigMapsIsDegradedWithApiMessageAndEvent(TestNamespace ns) {
    ns.admin()
        .resourceQuotas()
        .inNamespace(ns.name())
        .resource(
            new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("no-configmaps")
                .endMetadata()
                .withNewSpec()
                .withHard(Map.of("configmaps", new io.fabric8.kubernetes.api.model.Quantity("0")))
                .endSpec()
                .build())
        .create();
    // the quota controller must have counted usage before the quota refuses anything
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                ns.admin()
                        .resourceQuotas()
                        .inNamespace(ns.name())
                        .withName("no-configmaps")
                        .get()
                        .getStatus()
                    != null);
    ModelDeployment md = ns.create(ns.sample("iris.yaml"));
    String name = md.getMetadata().getName();

    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              var status = ns.get(name).getStatus();
              assertThat(status).isNotNull();
              Condition degraded =
                  Conditions.find(status.getConditions(), Conditions.DEGRADED).orElseThrow();
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getReason()).isEqualTo("QuotaExceeded");
              assertThat(degraded.getMessage())
                  .startsWith("could not apply configmaps/" + name + "-v1: ")
                  .contains("exceeded quota: no-configmaps");
              Condition ready =
                  Conditions.find(status.getConditions(), Conditions.READY).orElseThrow();
              assertThat(ready.getStatus()).isEqualTo("False");
              assertThat(ready.getReason()).isEqualTo("QuotaExceeded");
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<Event> events =
                  ns.admin().v1().events().inNamespace(ns.name()).list().getItems().stream()
                      .filter(e -> name.equals(e.getInvolvedObject().getName()))
                      .filter(e -> "QuotaExceeded".equals(e.getReason()))
                      .toList();
              assertThat(events).hasSize(1);
              assertThat(events.get(0).getType()).isEqualTo("Warning");
              assertThat(events.get(0).getMessage()).contains("configmaps/" + name + "-v1");
            });

    // lifting the quota heals it (a resync retries the apply)
    ns.admin().resourceQuotas().inNamespace(ns.name()).withName("no-configmaps").delete();
    ModelDeployment ready = ns.awaitReady(name, Duration.ofSeconds(120));
    assertThat(Conditions.isTrue(ready.getStatus().getConditions(), Conditions.DEGRADED)).isFalse();
  }
}
