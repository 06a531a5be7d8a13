package dev.starling.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StarlingOperatorTest {

  @Test
  void everyReconciliationThreadGetsAWorkflowThreadPerChildKind() {
    // ConfigMap, Deployment, Service, HPA, PDB, HTTPRoute
    assertThat(StarlingOperator.WORKFLOW_DEPENDENTS).isEqualTo(6);
    var settings = OperatorSettings.fromEnv(Map.of("STARLING_RECONCILE_THREADS", "7"), "1");
    assertThat(StarlingOperator.workflowThreads(settings)).isEqualTo(42);
  }
}
