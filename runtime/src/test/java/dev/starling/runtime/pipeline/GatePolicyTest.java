package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** When a model's calls skip the inference gate, from recorded call times. */
class GatePolicyTest {

  @Test
  void everyCallIsGatedUntilOneWasMeasured() {
    GatePolicy p = new GatePolicy();
    assertThat(IntStream.range(0, 100).allMatch(i -> p.gated(1))).isTrue();
    assertThat(p.nanosPerRow()).isEqualTo(-1);
  }

  @Test
  void aShortModelSkipsTheGateExceptForOneSampleInThirtyTwo() {
    GatePolicy p = new GatePolicy();
    p.ranGated(18_000, 1);
    long gated = IntStream.range(0, 3200).filter(i -> p.gated(1)).count();
    assertThat(gated).isEqualTo(3200 / GatePolicy.SAMPLE_EVERY);
  }

  @Test
  void aShortModelsSampledCallsAreEstimatedShortAndUnmeasuredOnesLong() {
    GatePolicy p = new GatePolicy();
    assertThat(p.estimatedLong(1)).as("nothing measured yet").isTrue();
    p.ranGated(18_000, 1);
    assertThat(p.estimatedLong(1)).isFalse();
    assertThat(p.estimatedLong(3)).isTrue(); // 3 x 18 us >= 50 us
    // the sampled calls are gated, yet still estimated short (they run on the request's thread)
    assertThat(IntStream.range(0, 64).filter(i -> p.gated(1) && !p.estimatedLong(1)).count())
        .isEqualTo(64 / GatePolicy.SAMPLE_EVERY);
  }

  @Test
  void aLongModelAndALargeRequestOfAShortOneStayGated() {
    GatePolicy heavy = new GatePolicy();
    heavy.ranGated(1_200_000, 1);
    assertThat(IntStream.range(0, 100).allMatch(i -> heavy.gated(1))).isTrue();

    GatePolicy iris = new GatePolicy();
    iris.ranGated(18_000, 1);
    assertThat(iris.gated(3)).isTrue(); // 3 x 18 us >= 50 us
    assertThat(iris.gated(Long.MAX_VALUE)).isTrue(); // no overflow
  }

  @Test
  void onePreemptedSampleMovesTheEstimateOnlyALittleAndItComesBack() {
    GatePolicy p = new GatePolicy();
    p.ranGated(10_000, 1);
    p.ranGated(5_000_000, 1); // preempted for 5 ms: counts as 4 x 10 us
    assertThat(p.nanosPerRow()).isEqualTo(10_000 + (40_000 - 10_000) / 8);
    assertThat(p.gated(1)).isFalse();
    for (int i = 0; i < 50; i++) {
      p.ranGated(10_000, 1);
    }
    assertThat(p.nanosPerRow()).isBetween(10_000L, 10_010L);
  }

  @Test
  void aModelThatGrowsSlowerIsGatedAgainAfterAFewSamples() {
    GatePolicy p = new GatePolicy();
    p.ranGated(10_000, 1);
    assertThat(p.gated(1)).isFalse();
    for (int i = 0; i < 30; i++) {
      p.ranGated(500_000, 1);
    }
    assertThat(p.nanosPerRow()).isGreaterThan(GatePolicy.UNGATED_BELOW_NANOS);
    assertThat(IntStream.range(0, 100).allMatch(i -> p.gated(1))).isTrue();
  }

  /**
   * A model that batches well queues from a lower line: a 31 us call (the MLP on a fast CPU) skips
   * the gate where it cannot be merged, and waits for it (to be merged) where it can; iris's calls
   * stay ungated either way.
   */
  @Test
  void aCallLongEnoughToMergeIsGatedForBatchingThoughShortForTheGateAlone() {
    GatePolicy mlp = new GatePolicy();
    mlp.ranGated(31_000, 1);
    assertThat(mlp.gated(1)).isFalse();
    assertThat(mlp.gated(1, GatePolicy.BATCHING_UNGATED_BELOW_NANOS)).isTrue();

    GatePolicy iris = new GatePolicy();
    iris.ranGated(12_000, 1);
    assertThat(iris.gated(1, GatePolicy.BATCHING_UNGATED_BELOW_NANOS)).isFalse();
    assertThat(iris.gated(3, GatePolicy.BATCHING_UNGATED_BELOW_NANOS)).isTrue(); // 36 us
  }
}
