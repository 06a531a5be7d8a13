package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WeightedScheduleTest {

  static Stream<Arguments> splits() {
    return Stream.of(
        Arguments.of(new int[] {90, 10}, 10),
        Arguments.of(new int[] {50, 50}, 2),
        Arguments.of(new int[] {100, 0}, 1),
        Arguments.of(new int[] {0, 100}, 1),
        Arguments.of(new int[] {99, 1}, 100),
        Arguments.of(new int[] {33, 33, 34}, 100),
        Arguments.of(new int[] {70, 0, 20, 10}, 10),
        Arguments.of(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 91}, 100));
  }

  @ParameterizedTest
  @MethodSource("splits")
  void everyCycleGivesEachChoiceExactlyItsWeight(int[] weights, int cycle) {
    WeightedSchedule s = WeightedSchedule.of(weights);
    assertThat(s.cycleLength()).isEqualTo(cycle);
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int requests = 10_000;
    int[] counts = new int[weights.length];
    for (long n = 0; n < requests; n++) {
      counts[s.pick(n)]++;
    }
    for (int i = 0; i < weights.length; i++) {
      assertThat(counts[i]).as("choice %d", i).isEqualTo(requests / total * weights[i]);
    }
  }

  @ParameterizedTest
  @MethodSource("splits")
  void anyWindowStaysWithinOneRequestOfTheExactShare(int[] weights, int cycle) {
    WeightedSchedule s = WeightedSchedule.of(weights);
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    // from any starting point (tables are swapped mid-stream), every prefix is close to exact
    for (long start = 0; start < cycle; start++) {
      int[] counts = new int[weights.length];
      for (int k = 1; k <= 2 * cycle; k++) {
        counts[s.pick(start + k - 1)]++;
        for (int i = 0; i < weights.length; i++) {
          double exact = (double) k * weights[i] / total;
          assertThat(Math.abs(counts[i] - exact))
              .as("choice %d after %d picks from %d", i, k, start)
              .isLessThanOrEqualTo(weights.length - 1.0 + 1e-9);
        }
      }
    }
  }

  @Test
  void tenPercentCanaryIsOneRequestInTenNotABurst() {
    WeightedSchedule s = WeightedSchedule.of(new int[] {90, 10});
    int lastCanary = -1;
    for (int n = 0; n < 100; n++) {
      if (s.pick(n) == 1) {
        if (lastCanary >= 0) {
          assertThat(n - lastCanary).isEqualTo(10);
        }
        lastCanary = n;
      }
    }
    assertThat(lastCanary).isGreaterThanOrEqualTo(90);
  }

  @Test
  void sequenceNumbersWrapAroundWithoutGoingNegative() {
    WeightedSchedule s = WeightedSchedule.of(new int[] {90, 10});
    assertThat(s.pick(-1)).isBetween(0, 1);
    assertThat(s.pick(Long.MIN_VALUE)).isBetween(0, 1);
  }

  @Test
  void allZeroOrNegativeWeightsAreRejected() {
    assertThatThrownBy(() -> WeightedSchedule.of(new int[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeightedSchedule.of(new int[] {-1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
