package dev.starling.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void defaultsComeFromTheVersion() {
    var s = OperatorSettings.fromEnv(Map.of(), "0.1.0");
    assertThat(s.runtimeImage()).isEqualTo("starling/runtime:0.1.0");
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.httpPort()).isEqualTo(8081);
  }

  @Test
  void environmentOverrides() {
    var s =
        OperatorSettings.fromEnv(
            Map.of(
                "STARLING_RUNTIME_IMAGE", "r/x:1",
                "STARLING_LEADER_ELECTION", "false",
                "STARLING_LEASE_NAMESPACE", "ops"),
            "0.1.0");
    assertThat(s.runtimeImage()).isEqualTo("r/x:1");
    assertThat(s.leaderElection()).isFalse();
    assertThat(s.leaseNamespace()).contains("ops");
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> OperatorSettings.fromEnv(Map.of("STARLING_HTTP_PORT", "eighty"), "1"))
        .hasMessageContaining("STARLING_HTTP_PORT");
    assertThatThrownBy(
            () -> OperatorSettings.fromEnv(Map.of("STARLING_RECONCILE_THREADS", "0"), "1"))
        .hasMessageContaining("STARLING_RECONCILE_THREADS");
  }
}
