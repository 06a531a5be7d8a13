package dev.starling.operator.status;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Something about a version's pods that a user must act on, with a reason they can search for:
 * {@code ModelFetchFailed}, {@code ModelDigestMismatch}, {@code CrashLoopBackOff}, {@code
 * ImagePullFailed}, {@code ReplicaFailure}, {@code ProgressDeadlineExceeded}.
 */
public record PodProblem(String reason, String message) {

  /** All of {@code problems} as one: the first one's reason, every message; empty if none. */
  public static Optional<PodProblem> all(List<PodProblem> problems) {
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new PodProblem(
            problems.get(0).reason(),
            String.join("; ", problems.stream().map(PodProblem::message).toList())));
  }

  /** The problems one pod shows, init containers first. */
  public static List<PodProblem> of(Pod pod) {
    List<PodProblem> problems = new ArrayList<>();
    if (pod.getStatus() == null) {
      return problems;
    }
    String name = pod.getMetadata().getName();
    var inits = pod.getStatus().getInitContainerStatuses();
    if (inits != null) {
      inits.forEach(s -> fetchProblem(name, s).ifPresent(problems::add));
    }
    var containers = pod.getStatus().getContainerStatuses();
    if (containers != null) {
      containers.forEach(s -> runtimeProblem(name, s).ifPresent(problems::add));
    }
    return problems;
  }

  private static Optional<PodProblem> fetchProblem(String pod, ContainerStatus s) {
    Optional<String> failure = terminatedWithError(s);
    if (failure.isEmpty()) {
      return imagePull(pod, s);
    }
    String text = failure.get();
    String lower = text.toLowerCase(Locale.ROOT);
    String reason =
        lower.contains("sha256") || lower.contains("digest")
            ? "ModelDigestMismatch"
            : "ModelFetchFailed";
    return Optional.of(new PodProblem(reason, "pod " + pod + ": model fetch failed: " + text));
  }

  private static Optional<PodProblem> runtimeProblem(String pod, ContainerStatus s) {
    var waiting = s.getState() == null ? null : s.getState().getWaiting();
    if (waiting != null && "CrashLoopBackOff".equals(waiting.getReason())) {
      String last = terminatedWithError(s).orElse("restarting");
      return Optional.of(
          new PodProblem("CrashLoopBackOff", "pod " + pod + ": runtime keeps exiting: " + last));
    }
    return imagePull(pod, s);
  }

  private static Optional<PodProblem> imagePull(String pod, ContainerStatus s) {
    var waiting = s.getState() == null ? null : s.getState().getWaiting();
    if (waiting != null
        && ("ImagePullBackOff".equals(waiting.getReason())
            || "ErrImagePull".equals(waiting.getReason())
            || "InvalidImageName".equals(waiting.getReason()))) {
      return Optional.of(
          new PodProblem(
              "ImagePullFailed",
              "pod " + pod + ": cannot pull image " + s.getImage() + ": " + waiting.getMessage()));
    }
    return Optional.empty();
  }

  /** The message of the current or last failed run of a container, if it failed. */
  private static Optional<String> terminatedWithError(ContainerStatus s) {
    for (ContainerState state : new ContainerState[] {s.getState(), s.getLastState()}) {
      if (state != null
          && state.getTerminated() != null
          && state.getTerminated().getExitCode() != null
          && state.getTerminated().getExitCode() != 0) {
        var t = state.getTerminated();
        String message = t.getMessage() != null ? t.getMessage().strip() : t.getReason();
        return Optional.of("exit code " + t.getExitCode() + ": " + message);
      }
    }
    if (s.getState() != null
        && s.getState().getWaiting() != null
        && "CrashLoopBackOff".equals(s.getState().getWaiting().getReason())) {
      return Optional.of(String.valueOf(s.getState().getWaiting().getMessage()));
    }
    return Optional.empty();
  }
}
