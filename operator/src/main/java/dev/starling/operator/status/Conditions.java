package dev.starling.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Builds conditions in the metav1.Condition shape, keeping lastTransitionTime when it should. */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String WEIGHTS_APPLIED = "WeightsApplied";

  private Conditions() {}

  /**
   * A condition with {@code lastTransitionTime} taken from {@code previous} when neither status nor
   * reason changed (a changed message alone is no transition), else {@code now}.
   */
  public static Condition of(
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      List<Condition> previous,
      Instant now) {
    String value = status ? "True" : "False";
    String transition =
        find(previous, type)
            .filter(p -> value.equals(p.getStatus()) && reason.equals(p.getReason()))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .orElse(DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS)));
    return new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
