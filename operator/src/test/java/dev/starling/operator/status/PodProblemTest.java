package dev.starling.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodProblemTest {

  static Pod pod(List<ContainerStatus> inits, List<ContainerStatus> containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .endMetadata()
        .withNewStatus()
        .withInitContainerStatuses(inits)
        .withContainerStatuses(containers)
        .endStatus()
        .build();
  }

  static ContainerStatus failedInit(String message) {
    return new ContainerStatusBuilder()
        .withName("fetch-model")
        .withNewLastState()
        .withNewTerminated()
        .withExitCode(1)
        .withMessage(message)
        .endTerminated()
        .endLastState()
        .withNewState()
        .withNewWaiting()
        .withReason("CrashLoopBackOff")
        .endWaiting()
        .endState()
        .build();
  }

  @Test
  void digestMismatchIsNamed() {
    var problems =
        PodProblem.of(
            pod(List.of(failedInit("sha256 mismatch: expected 00.. got ab..")), List.of()));
    assertThat(problems).extracting(PodProblem::reason).containsExactly("ModelDigestMismatch");
    assertThat(problems.get(0).message()).contains("sha256 mismatch");
  }

  @Test
  void otherFetchFailuresAreModelFetchFailed() {
    var problems =
        PodProblem.of(pod(List.of(failedInit("HTTP 404 for https://m/x.onnx")), List.of()));
    assertThat(problems).extracting(PodProblem::reason).containsExactly("ModelFetchFailed");
  }

  @Test
  void crashLoopingRuntimeIsReported() {
    var crashing = failedInit("boom");
    crashing.setName("runtime");
    var problems = PodProblem.of(pod(List.of(), List.of(crashing)));
    assertThat(problems).extracting(PodProblem::reason).containsExactly("CrashLoopBackOff");
  }

  @Test
  void healthyPodHasNoProblem() {
    var running =
        new ContainerStatusBuilder()
            .withName("runtime")
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .build();
    var done =
        new ContainerStatusBuilder()
            .withName("fetch-model")
            .withNewState()
            .withNewTerminated()
            .withExitCode(0)
            .endTerminated()
            .endState()
            .build();
    assertThat(PodProblem.of(pod(List.of(done), List.of(running)))).isEmpty();
  }
}
