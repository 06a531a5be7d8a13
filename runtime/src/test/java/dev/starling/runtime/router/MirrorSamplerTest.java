package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MirrorSamplerTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 5, 20, 33, 50, 99, 100})
  void copiesExactlyThePercentOfEveryHundred(int percent) {
    MirrorSampler s = new MirrorSampler(percent);
    for (int hundred = 0; hundred < 5; hundred++) {
      int copied = 0;
      for (int n = 0; n < 100; n++) {
        if (s.sample(hundred * 100L + n)) {
          copied++;
        }
      }
      assertThat(copied).isEqualTo(percent);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {20, 25, 50})
  void copiesAreSpreadOut(int percent) {
    MirrorSampler s = new MirrorSampler(percent);
    int gap = 100 / percent;
    int last = -1;
    for (int n = 0; n < 100; n++) {
      if (s.sample(n)) {
        if (last >= 0) {
          assertThat(n - last).isEqualTo(gap);
        }
        last = n;
      }
    }
  }
}
