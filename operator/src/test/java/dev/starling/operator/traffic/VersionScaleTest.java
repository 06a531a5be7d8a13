package dev.starling.operator.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionScaleTest {

  @ParameterizedTest(name = "desired={0} effective={1} mirror={2} pinned={3} -> runs={4}")
  @CsvSource({
    "0, 0, false, false, false",
    "0, 0, true, false, true",
    "0, 0, false, true, true",
    "0, 100, false, false, true",
    "10, 0, false, false, true",
    "90, 90, false, false, true",
  })
  void weightZeroVersionsScaleToZeroUnlessMirroredOrPinned(
      int desired, int effective, boolean mirror, boolean pinned, boolean runs) {
    var w = new EffectiveWeight("v", desired, effective, Optional.empty());
    assertThat(VersionScale.runs(w, mirror, pinned)).isEqualTo(runs);
  }
}
