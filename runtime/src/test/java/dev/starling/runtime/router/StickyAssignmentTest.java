package dev.starling.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class StickyAssignmentTest {
  private static final int KEYS = 100_000;

  /** Pinned: a different hash would move every caller of every deployment on upgrade. */
  @ParameterizedTest
  @CsvSource({"user-1,5477", "user-2,2635", "alice,7236", "'',4342", "Zoë,9721"})
  void slotsAreStableAcrossReleases(String key, int slot) {
    assertThat(StickyAssignment.slot(key)).isEqualTo(slot);
  }

  @Test
  void slotsSpreadEvenly() {
    int[] tenths = new int[10];
    for (int k = 0; k < KEYS; k++) {
      tenths[StickyAssignment.slot("key-" + k) / 1000]++;
    }
    for (int t : tenths) {
      assertThat(t).isBetween(KEYS / 10 * 96 / 100, KEYS / 10 * 104 / 100);
    }
  }

  @ParameterizedTest
  @CsvSource({"0,0", "8999,0", "9000,1", "9999,1"})
  void ninetyTenCutsTheSlotsAtNineThousand(int slot, int choice) {
    assertThat(StickyAssignment.of(new int[] {90, 10}).choice(slot)).isEqualTo(choice);
  }

  static Stream<Arguments> weightMoves() {
    // before, after, the share of keys that must move (the least possible), who may gain keys
    return Stream.of(
        Arguments.of(new int[] {90, 10}, new int[] {80, 20}, 0.10, 1),
        Arguments.of(new int[] {100, 0}, new int[] {90, 10}, 0.10, 1),
        Arguments.of(new int[] {50, 50}, new int[] {0, 100}, 0.50, 1),
        Arguments.of(new int[] {10, 90}, new int[] {50, 50}, 0.40, 0),
        Arguments.of(new int[] {60, 30, 10}, new int[] {60, 20, 20}, 0.10, 2),
        Arguments.of(new int[] {40, 30, 30}, new int[] {50, 20, 30}, 0.10, 0));
  }

  @ParameterizedTest
  @MethodSource("weightMoves")
  void movingWeightBetweenNeighboursMovesOnlyThatShareOfKeys(
      int[] before, int[] after, double share, int gainer) {
    StickyAssignment a = StickyAssignment.of(before);
    StickyAssignment b = StickyAssignment.of(after);
    int moved = 0;
    for (int k = 0; k < KEYS; k++) {
      String key = "caller-" + k;
      int from = a.pick(key);
      int to = b.pick(key);
      if (from != to) {
        moved++;
        assertThat(to).as("key %s moved %d→%d", key, from, to).isEqualTo(gainer);
      }
    }
    assertThat((double) moved / KEYS).isCloseTo(share, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void unchangedWeightsKeepEveryKey() {
    StickyAssignment a = StickyAssignment.of(new int[] {70, 20, 10});
    StickyAssignment b = StickyAssignment.of(new int[] {70, 20, 10});
    for (int k = 0; k < KEYS; k++) {
      assertThat(b.pick("k" + k)).isEqualTo(a.pick("k" + k));
    }
  }

  @Test
  void aVersionLeavingMovesOnlyItsOwnKeysWhenItIsInTheMiddleOfThree() {
    StickyAssignment all = StickyAssignment.of(new int[] {50, 25, 25});
    StickyAssignment withoutMiddle = StickyAssignment.of(new int[] {50, 25}); // v1, v3
    for (int k = 0; k < KEYS; k++) {
      String key = "k" + k;
      int before = all.pick(key);
      int after = withoutMiddle.pick(key) == 0 ? 0 : 2;
      if (before != 1) {
        assertThat(after).as(key).isEqualTo(before);
      }
    }
  }

  @Test
  void keysSplitByWeight() {
    StickyAssignment a = StickyAssignment.of(new int[] {90, 10});
    int canary = 0;
    for (int k = 0; k < KEYS; k++) {
      canary += a.pick("user-" + k);
    }
    assertThat((double) canary / KEYS).isBetween(0.095, 0.105);
  }
}
