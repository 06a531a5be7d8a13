package dev.starling.operator.status;

import dev.starling.api.v1alpha1.ModelDeployment;
import dev.starling.api.v1alpha1.ModelDeploymentStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A child object the API server refused to take (a ResourceQuota, an admission webhook, a
 * validation rule), turned into a status a user can act on: Ready=False and Degraded=True with a
 * searchable reason and a message naming the object and quoting the API server, e.g. {@code
 * QuotaExceeded: could not apply configmaps/iris-v1: configmaps "iris-v1" is forbidden: exceeded
 * quota: no-configmaps, requested: configmaps=1, used: configmaps=0, limited: configmaps=0}.
 *
 * @param reason {@code QuotaExceeded}, {@code ChildForbidden} (other 403s), {@code ChildInvalid}
 *     (422) or {@code ChildRefused} (400)
 * @param message the object (resource/name) and the API server's message
 */
public record ChildRefusal(String reason, String message) {

  /**
   * Bad request, forbidden (quota, RBAC, admission), invalid: the API server will say the same
   * until someone changes something. Conflicts (409), not-found (404) and throttling (429) are
   * transient or someone else's state and are left to JOSDK's retries without a condition.
   */
  private static final Set<Integer> REFUSALS = Set.of(400, 403, 422);

  /** The first refusal by the API server inside a reconciliation failure, if there is one. */
  public static Optional<ChildRefusal> of(Throwable failure) {
    Deque<Throwable> todo = new ArrayDeque<>();
    Set<Throwable> seen = new HashSet<>();
    todo.add(failure);
    while (!todo.isEmpty()) {
      Throwable t = todo.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof KubernetesClientException k && REFUSALS.contains(k.getCode())) {
        return Optional.of(from(k));
      }
      if (t instanceof AggregatedOperatorException a) {
        // dependents fail independently; their names sort for a stable choice across retries
        a.getAggregatedExceptions().entrySet().stream()
            .sorted(java.util.Map.Entry.comparingByKey())
            .forEach(e -> todo.add(e.getValue()));
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
    }
    return Optional.empty();
  }

  private static ChildRefusal from(KubernetesClientException e) {
    Status status = e.getStatus();
    String apiMessage =
        status != null && status.getMessage() != null ? status.getMessage() : e.getMessage();
    String object = "a child object";
    if (status != null && status.getDetails() != null && status.getDetails().getName() != null) {
      object =
          Optional.ofNullable(status.getDetails().getKind()).map(k -> k + "/").orElse("")
              + status.getDetails().getName();
    }
    String reason;
    if (e.getCode() == 403 && apiMessage.contains("exceeded quota")) {
      reason = "QuotaExceeded";
    } else if (e.getCode() == 403) {
      reason = "ChildForbidden";
    } else if (e.getCode() == 422) {
      reason = "ChildInvalid";
    } else {
      reason = "ChildRefused";
    }
    return new ChildRefusal(reason, "could not apply " + object + ": " + apiMessage);
  }

  /**
   * The status to show: what the last reconciliation reported (versions, URL, summary) with
   * Ready=False and Degraded=True for this refusal; Progressing is kept as it was.
   */
  public ModelDeploymentStatus status(ModelDeployment md, Instant now) {
    ModelDeploymentStatus previous = md.getStatus();
    long generation =
        md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
    List<Condition> before = previous == null ? List.of() : previous.getConditions();
    ModelDeploymentStatus next = new ModelDeploymentStatus();
    next.setObservedGeneration(generation);
    if (previous != null) {
      next.setUrl(previous.getUrl());
      next.setSummary(previous.getSummary());
      next.setVersions(previous.getVersions());
    }
    List<Condition> conditions = new ArrayList<>();
    conditions.add(
        Conditions.of(Conditions.READY, false, reason, message, generation, before, now));
    conditions.add(
        Conditions.find(before, Conditions.PROGRESSING)
            .orElseGet(
                () ->
                    Conditions.of(
                        Conditions.PROGRESSING,
                        false,
                        reason,
                        "blocked: " + message,
                        generation,
                        before,
                        now)));
    conditions.add(
        Conditions.of(Conditions.DEGRADED, true, reason, message, generation, before, now));
    next.setConditions(conditions);
    return next;
  }
}
