package dev.starling.operator.status;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentStatus;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.VersionStatus;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.VersionDefaults;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns what the operator observed into a fresh status. Rules, first match wins for Ready:
 *
 * <ol>
 *   <li>suspended: Ready=False/Suspended, Progressing=False/Suspended;
 *   <li>a version has a problem (fetch failed, crash loop, pods refused): Degraded=True with that
 *       reason, Ready=False with the same reason;
 *   <li>a version is not rolled out yet: Progressing=True/RollingOut, Ready=False/RollingOut;
 *   <li>otherwise Ready=True/AllVersionsReady, Progressing=False/RolloutComplete.
 * </ol>
 */
public final class StatusAggregator {

  private StatusAggregator() {}

  public static ModelDeploymentStatus aggregate(
      ModelDeployment md, Map<String, VersionObservation> observed, Instant now) {
    long generation = generation(md);
    List<Condition> previous = md.getStatus() == null ? List.of() : md.getStatus().getConditions();
    boolean suspended = md.getSpec().suspended();

    List<VersionStatus> versions = new ArrayList<>();
    List<String> rollingOut = new ArrayList<>();
    Optional<PodProblem> problem = Optional.empty();
    for (ModelVersion v : md.getSpec().getVersions()) {
      VersionObservation o =
          observed.getOrDefault(
              v.getName(), new VersionObservation(v.getName(), Optional.empty(), List.of()));
      versions.add(
          new VersionStatus(
              v.getName(),
              VersionDefaults.weight(md.getSpec(), v),
              o.desiredReplicas(),
              o.readyReplicas(),
              VersionDefaults.sha256(v).orElse(null)));
      if (!o.rolledOut() || (!suspended && o.readyReplicas() == 0)) {
        rollingOut.add(v.getName());
      }
      if (problem.isEmpty()) {
        problem = o.deploymentProblem().or(() -> o.problems().stream().findFirst());
        problem = problem.map(p -> new PodProblem(p.reason(), v.getName() + ": " + p.message()));
      }
    }

    List<Condition> conditions = new ArrayList<>();
    if (suspended) {
      String msg = "spec.suspend is true: every version is scaled to zero";
      conditions.add(
          Conditions.of(Conditions.READY, false, "Suspended", msg, generation, previous, now));
      conditions.add(
          Conditions.of(
              Conditions.PROGRESSING, false, "Suspended", msg, generation, previous, now));
      conditions.add(degraded(problem, generation, previous, now));
    } else if (problem.isPresent()) {
      PodProblem p = problem.get();
      conditions.add(
          Conditions.of(
              Conditions.READY, false, p.reason(), p.message(), generation, previous, now));
      conditions.add(progressing(rollingOut, generation, previous, now));
      conditions.add(degraded(problem, generation, previous, now));
    } else if (!rollingOut.isEmpty()) {
      String msg = "waiting for versions to roll out: " + String.join(", ", rollingOut);
      conditions.add(
          Conditions.of(Conditions.READY, false, "RollingOut", msg, generation, previous, now));
      conditions.add(progressing(rollingOut, generation, previous, now));
      conditions.add(degraded(problem, generation, previous, now));
    } else {
      conditions.add(
          Conditions.of(
              Conditions.READY,
              true,
              "AllVersionsReady",
              "every version has ready replicas running its current spec",
              generation,
              previous,
              now));
      conditions.add(progressing(rollingOut, generation, previous, now));
      conditions.add(degraded(problem, generation, previous, now));
    }

    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.setObservedGeneration(generation);
    status.setUrl(Names.url(md));
    status.setSummary(summary(versions));
    status.setConditions(conditions);
    status.setVersions(versions);
    return status;
  }

  /** E.g. {@code v1=90% 2/2, v2=10% 0/1}: weight and ready/desired replicas per version. */
  static String summary(List<VersionStatus> versions) {
    return versions.stream()
        .map(
            v ->
                v.getName()
                    + "="
                    + v.getWeight()
                    + "% "
                    + v.getReadyReplicas()
                    + "/"
                    + v.getDesiredReplicas())
        .collect(Collectors.joining(", "));
  }

  private static Condition progressing(
      List<String> rollingOut, long generation, List<Condition> previous, Instant now) {
    if (rollingOut.isEmpty()) {
      return Conditions.of(
          Conditions.PROGRESSING,
          false,
          "RolloutComplete",
          "every version runs its current spec",
          generation,
          previous,
          now);
    }
    return Conditions.of(
        Conditions.PROGRESSING,
        true,
        "RollingOut",
        "rolling out: " + String.join(", ", rollingOut),
        generation,
        previous,
        now);
  }

  private static Condition degraded(
      Optional<PodProblem> problem, long generation, List<Condition> previous, Instant now) {
    return problem
        .map(
            p ->
                Conditions.of(
                    Conditions.DEGRADED, true, p.reason(), p.message(), generation, previous, now))
        .orElseGet(
            () ->
                Conditions.of(
                    Conditions.DEGRADED,
                    false,
                    "AsExpected",
                    "no version reports a problem",
                    generation,
                    previous,
                    now));
  }

  private static long generation(ModelDeployment md) {
    Long g = md.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }
}
