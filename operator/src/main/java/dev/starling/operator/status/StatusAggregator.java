package dev.starling.operator.status;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentStatus;
import dev.starling.api.v1alpha1.ModelVersion;
import dev.starling.api.v1alpha1.VersionStatus;
import dev.starling.operator.desired.Names;
import dev.starling.operator.desired.VersionDefaults;
import dev.starling.operator.traffic.EffectiveWeight;
import dev.starling.operator.traffic.TrafficPlan;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns what the operator observed into a fresh status. Rules, first match wins for Ready:
 *
 * <ol>
 *   <li>suspended: Ready=False/Suspended, Progressing=False/Suspended;
 *   <li>a version has a problem (fetch failed, crash loop, pods refused), or traffic cannot be
 *       routed (gateway-api mode without the Gateway API CRDs): Degraded=True with that reason,
 *       Ready=False with the same reason;
 *   <li>a running version (or the builtin router) is not rolled out or has no ready replica:
 *       Progressing=True/RollingOut, Ready=False/RollingOut;
 *   <li>a weight is held back (see {@link TrafficPlan}): Ready=False with its reason;
 *   <li>otherwise Ready=True/AllVersionsReady, Progressing=False/RolloutComplete.
 * </ol>
 *
 * <p>Independently, WeightsApplied is True/AsDesired when every effective weight equals the desired
 * one, else False with the held-back reason (NoReadyReplicas, WaitingForReadyVersions) and which
 * version waits. Versions that do not run (weight 0, scaled to zero) never hold Ready back.
 */
public final class StatusAggregator {

  public static final String GATEWAY_API_NOT_INSTALLED = "GatewayAPINotInstalled";

  private StatusAggregator() {}

  /** Without a router to watch: the plan is decided from the observed ready replicas. */
  public static ModelDeploymentStatus aggregate(
      ModelDeployment md, Map<String, VersionObservation> observed, Instant now) {
    Map<String, Integer> ready = new HashMap<>();
    observed.forEach((name, o) -> ready.put(name, o.readyReplicas()));
    return aggregate(
        md, observed, TrafficPlan.decide(md, ready), Optional.empty(), Optional.empty(), now);
  }

  /**
   * {@code router}: the builtin router's Deployment as a pseudo version (empty in gateway-api
   * mode); {@code trafficProblem}: why traffic cannot be routed at all, if so.
   */
  public static ModelDeploymentStatus aggregate(
      ModelDeployment md,
      Map<String, VersionObservation> observed,
      TrafficPlan plan,
      Optional<VersionObservation> router,
      Optional<PodProblem> trafficProblem,
      Instant now) {
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
      Optional<EffectiveWeight> w = plan.of(v.getName());
      VersionStatus vs =
          new VersionStatus(
              v.getName(),
              w.map(EffectiveWeight::effective).orElse(0),
              o.desiredReplicas(),
              o.readyReplicas(),
              VersionDefaults.sha256(v).orElse(null));
      vs.setDesiredWeight(VersionDefaults.weight(md.getSpec(), v));
      vs.setHeldBack(w.flatMap(EffectiveWeight::heldBack).orElse(null));
      versions.add(vs);
      boolean runs = plan.runs(v.getName());
      if (!o.rolledOut() || (!suspended && runs && o.readyReplicas() == 0)) {
        rollingOut.add(v.getName());
      }
      if (problem.isEmpty()) {
        problem = o.deploymentProblem().or(() -> o.problems().stream().findFirst());
        problem = problem.map(p -> new PodProblem(p.reason(), v.getName() + ": " + p.message()));
      }
    }

    if (router.isPresent()
        && (!router.get().rolledOut() || (!suspended && router.get().readyReplicas() == 0))) {
      rollingOut.add("router");
    }
    if (router.isPresent() && problem.isEmpty()) {
      problem =
          router.get().deploymentProblem().or(() -> router.get().problems().stream().findFirst());
      problem = problem.map(p -> new PodProblem(p.reason(), "router: " + p.message()));
    }
    if (trafficProblem.isPresent()) {
      problem = trafficProblem;
    }
    List<EffectiveWeight> held = suspended ? List.of() : plan.heldBack();

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
    } else if (!held.isEmpty()) {
      conditions.add(
          Conditions.of(
              Conditions.READY,
              false,
              held.get(0).heldBack().orElseThrow(),
              heldMessage(held),
              generation,
              previous,
              now));
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

    conditions.add(weightsApplied(held, generation, previous, now));

    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.setObservedGeneration(generation);
    status.setUrl(Names.url(md));
    status.setSummary(summary(versions));
    status.setConditions(conditions);
    status.setVersions(versions);
    return status;
  }

  /**
   * E.g. {@code v1=100% 2/2, v2=0%(10) 0/1}: effective weight (the desired one in brackets while
   * held back) and ready/desired replicas per version.
   */
  static String summary(List<VersionStatus> versions) {
    return versions.stream()
        .map(
            v ->
                v.getName()
                    + "="
                    + v.getWeight()
                    + "%"
                    + (v.getDesiredWeight() != null && !v.getDesiredWeight().equals(v.getWeight())
                        ? "(" + v.getDesiredWeight() + ")"
                        : "")
                    + " "
                    + v.getReadyReplicas()
                    + "/"
                    + v.getDesiredReplicas())
        .collect(Collectors.joining(", "));
  }

  /** E.g. {@code weight held back: v2 wants 10% but gets 0% (NoReadyReplicas)}. */
  static String heldMessage(List<EffectiveWeight> held) {
    return "weight held back: "
        + held.stream()
            .map(
                w ->
                    w.name()
                        + " wants "
                        + w.desired()
                        + "% but gets "
                        + w.effective()
                        + "% ("
                        + w.heldBack().orElseThrow()
                        + ")")
            .collect(Collectors.joining("; "));
  }

  private static Condition weightsApplied(
      List<EffectiveWeight> held, long generation, List<Condition> previous, Instant now) {
    if (held.isEmpty()) {
      return Conditions.of(
          Conditions.WEIGHTS_APPLIED,
          true,
          "AsDesired",
          "every version gets its desired weight",
          generation,
          previous,
          now);
    }
    return Conditions.of(
        Conditions.WEIGHTS_APPLIED,
        false,
        held.get(0).heldBack().orElseThrow(),
        heldMessage(held),
        generation,
        previous,
        now);
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
