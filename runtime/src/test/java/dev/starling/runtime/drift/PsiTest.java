package dev.starling.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PsiTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // the two worked examples of the Javadoc
        Arguments.of(new double[] {0.5, 0.5}, new long[] {8, 2}, 0.415888308),
        Arguments.of(new double[] {0.5, 0.5, 0}, new long[] {5, 4, 1}, 0.712399108),
        // same shares: 0
        Arguments.of(new double[] {0.2, 0.3, 0.5}, new long[] {20, 30, 50}, 0.0),
        // the unseen bin (not in the reference's list) counts with share ε
        Arguments.of(
            new double[] {1.0},
            new long[] {1, 1},
            (0.5 - 1) * Math.log(0.5 / 1) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4)),
        // everything in a bin the reference never saw
        Arguments.of(
            new double[] {0.5, 0.5, 0},
            new long[] {0, 0, 7},
            2 * (1e-4 - 0.5) * Math.log(1e-4 / 0.5) + (1 - 1e-4) * Math.log(1 / 1e-4)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void psiOfLiveCountsAgainstReferenceShares(double[] expected, long[] counts, double psi) {
    assertThat(Psi.of(expected, counts)).isCloseTo(psi, within(1e-8));
  }

  @Test
  void anEmptyWindowHasNoPsi() {
    assertThat(Psi.of(new double[] {0.5, 0.5}, new long[] {0, 0})).isNaN();
  }

  @Test
  void psiGrowsWithTheShift() {
    double[] ref = {0.25, 0.25, 0.25, 0.25};
    double small = Psi.of(ref, new long[] {30, 25, 25, 20});
    double large = Psi.of(ref, new long[] {60, 20, 15, 5});
    assertThat(small).isPositive().isLessThan(0.1);
    assertThat(large).isGreaterThan(0.25);
  }
}
