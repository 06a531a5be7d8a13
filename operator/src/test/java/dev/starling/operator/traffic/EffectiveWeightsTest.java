package dev.starling.operator.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EffectiveWeightsTest {

  /** Each version as "name=desired/previous/ready", expected as "name=effective[:reason]". */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("all ready: desired as is", "v1=90/90/2 v2=10/10/1", "v1=90 v2=10"),
        Arguments.of(
            "canaryWeightNotRaisedWhileCanaryUnready",
            "v1=90/100/2 v2=10/0/0",
            "v1=100 v2=0:NoReadyReplicas"),
        Arguments.of(
            "oldVersionKeepsServingUntilSuccessorReady",
            "v1=0/100/2 v2=100/0/0",
            "v1=100 v2=0:NoReadyReplicas"),
        Arguments.of("promotion completes once ready", "v1=0/100/2 v2=100/0/1", "v1=0 v2=100"),
        Arguments.of(
            "largest remainder, ties to the earlier version",
            "v1=50/50/1 v2=30/30/1 v3=20/20/0",
            "v1=63 v2=37 v3=0:NoReadyReplicas"),
        Arguments.of("thirds sum to 100", "a=1/0/1 b=1/0/1 c=1/0/1", "a=34 b=33 c=33"),
        Arguments.of("nothing ready: nothing serves", "v1=100/100/0", "v1=0:NoReadyReplicas"),
        Arguments.of(
            "previous weights rescaled over the versions still ready",
            "v1=0/50/1 v2=0/50/0 v3=100/0/0",
            "v1=100 v2=0 v3=0:NoReadyReplicas"),
        Arguments.of(
            "weight-0 ready version takes nothing while a weighted one serves",
            "v1=100/100/1 v3=0/0/1",
            "v1=100 v3=0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, String versions, String expected) {
    List<VersionTraffic> in = new ArrayList<>();
    for (String v : versions.split(" ")) {
      String[] kv = v.split("=");
      String[] n = kv[1].split("/");
      in.add(
          new VersionTraffic(
              kv[0], Integer.parseInt(n[0]), Integer.parseInt(n[1]), Integer.parseInt(n[2])));
    }
    List<String> actual =
        EffectiveWeights.decide(in).stream()
            .map(w -> w.name() + "=" + w.effective() + w.heldBack().map(r -> ":" + r).orElse(""))
            .toList();
    assertThat(String.join(" ", actual)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scaleCases")
  void scaleTo100SumsTo100(int[] basis, int[] expected) {
    assertThat(EffectiveWeights.scaleTo100(basis)).containsExactly(expected);
  }

  static Stream<Arguments> scaleCases() {
    return Stream.of(
        Arguments.of(new int[] {0, 0}, new int[] {0, 0}),
        Arguments.of(new int[] {7}, new int[] {100}),
        Arguments.of(new int[] {90, 10, 0}, new int[] {90, 10, 0}),
        Arguments.of(new int[] {1, 2}, new int[] {33, 67}),
        Arguments.of(new int[] {1, 1, 1, 1, 1, 1, 1}, new int[] {15, 15, 14, 14, 14, 14, 14}));
  }
}
