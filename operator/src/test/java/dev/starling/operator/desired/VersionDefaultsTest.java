package dev.starling.operator.desired;

import static dev.starling.operator.TestingModelDeployments.md;
import static dev.starling.operator.TestingModelDeployments.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.operator.TestingModelDeployments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionDefaultsTest {

  @Test
  void aSingleVersionWithoutWeightGetsAllTraffic() {
    var md = md("a", version("v1", "file:///m.onnx", null));
    assertThat(VersionDefaults.weight(md.getSpec(), md.getSpec().getVersions().get(0)))
        .isEqualTo(100);
  }

  @ParameterizedTest(name = "weights {0},{1},{2} -> primary {3}")
  @CsvSource({"90, 10, 0, v1", "10, 90, 0, v2", "50, 50, 0, v1", "0, 0, 100, v3", "0, 40, 60, v3"})
  void primaryIsTheFirstHeaviestVersion(int w1, int w2, int w3, String primary) {
    var md =
        md(
            "a",
            version("v1", "file:///m.onnx", w1),
            version("v2", "file:///m.onnx", w2),
            version("v3", "file:///m.onnx", w3));
    assertThat(VersionDefaults.primary(md.getSpec()).getName()).isEqualTo(primary);
  }

  @ParameterizedTest(name = "min={0} max={1} -> {2}..{3}")
  @CsvSource({", , 1, 1", "3, , 3, 3", ", 5, 1, 5", "2, 10, 2, 10"})
  void replicaBoundsDefault(Integer min, Integer max, int wantMin, int wantMax) {
    var v = TestingModelDeployments.version("v1", "file:///m.onnx", null, null, min, max);
    assertThat(VersionDefaults.minReplicas(v)).isEqualTo(wantMin);
    assertThat(VersionDefaults.maxReplicas(v)).isEqualTo(wantMax);
  }
}
