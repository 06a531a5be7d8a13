package dev.starling.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfilerTest {
  @Test
  void quantileEdgesSplitTheReferenceEvenly() {
    double[] v = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    FeatureProfile p = Profiler.numeric("x", v, 5);
    assertThat(p.edges()).containsExactly(3.0, 5.0, 7.0, 9.0);
    assertThat(p.proportions()).containsExactly(0.2, 0.2, 0.2, 0.2, 0.2);
    assertThat(p.min()).isEqualTo(1.0);
    assertThat(p.max()).isEqualTo(10.0);
  }

  @Test
  void tiedValuesGiveFewerBinsAndNoEmptyFirstBin() {
    double[] v = {0, 0, 0, 0, 0, 0, 1, 1, 2, 3};
    FeatureProfile p = Profiler.numeric("x", v, 5);
    // ranks 2,4,6,8 → 0,0,1,2; edges at the minimum and repeats dropped
    assertThat(p.edges()).containsExactly(1.0, 2.0);
    assertThat(p.proportions()).containsExactly(0.6, 0.2, 0.2);
  }

  @Test
  void nanValuesAreLeftOut() {
    FeatureProfile p = Profiler.numeric("x", new double[] {Double.NaN, 1, 2, 3, 4}, 2);
    assertThat(p.edges()).containsExactly(3.0);
    assertThat(p.proportions()).containsExactly(0.5, 0.5);
    assertThatThrownBy(() -> Profiler.numeric("y", new double[] {Double.NaN}, 2))
        .hasMessageContaining("'y'");
  }

  @Test
  void categoriesGetTheirShares() {
    FeatureProfile p =
        Profiler.categorical("c", List.of("US", "DE", "BR"), new double[] {0, 0, 1, 0});
    assertThat(p.proportions()).containsExactly(0.75, 0.25, 0.0);
    FeatureProfile.Binner b = p.binner();
    assertThat(b.binCount()).isEqualTo(4);
    assertThat(b.bin(1)).isEqualTo(1);
    assertThat(b.bin(7)).isEqualTo(3);
    assertThat(b.unseen(2)).as("listed but never in the reference").isTrue();
    assertThat(b.unseen(7)).isTrue();
    assertThat(b.unseen(0.5)).isTrue();
    assertThat(b.unseen(0)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"-100, 0", "2.999, 0", "3, 1", "4, 1", "5, 2", "9, 4", "1e9, 4"})
  void numericBinsAreClosedOnTheLeft(double v, int bin) {
    FeatureProfile.Binner b =
        Profiler.numeric("x", new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5).binner();
    assertThat(b.bin(v)).isEqualTo(bin);
  }

  @Test
  void outOfRangeIsOutsideTheReferenceMinAndMax() {
    FeatureProfile.Binner b = Profiler.numeric("x", new double[] {1, 2, 3, 4}, 2).binner();
    assertThat(b.outOfRange(0.999)).isTrue();
    assertThat(b.outOfRange(4.001)).isTrue();
    assertThat(b.outOfRange(1)).isFalse();
    assertThat(b.outOfRange(4)).isFalse();
    assertThat(b.expected()).containsExactly(new double[] {0.5, 0.5}, within(1e-12));
  }
}
