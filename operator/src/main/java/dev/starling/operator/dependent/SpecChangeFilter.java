package dev.starling.operator.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Lets an update of a child through only when something the operator owns may have changed: the
 * generation (spec), labels, annotations or owner references. Status-only updates by other
 * controllers (HPA metrics, PDB counts) then cost no reconciliation.
 */
public class SpecChangeFilter implements OnUpdateFilter<HasMetadata> {

  private final Predicate<String> foreignAnnotation;

  public SpecChangeFilter() {
    this(key -> false);
  }

  /** Changes of the annotations {@code foreignAnnotation} picks (another controller's) pass not. */
  SpecChangeFilter(Predicate<String> foreignAnnotation) {
    this.foreignAnnotation = foreignAnnotation;
  }

  @Override
  public boolean accept(HasMetadata updated, HasMetadata old) {
    var n = updated.getMetadata();
    var o = old.getMetadata();
    return !Objects.equals(n.getGeneration(), o.getGeneration())
        || !Objects.equals(n.getLabels(), o.getLabels())
        || !annotations(n.getAnnotations()).equals(annotations(o.getAnnotations()))
        || !Objects.equals(n.getOwnerReferences(), o.getOwnerReferences())
        || !Objects.equals(n.getDeletionTimestamp(), o.getDeletionTimestamp());
  }

  private Map<String, String> annotations(Map<String, String> all) {
    if (all == null) {
      return Map.of();
    }
    return all.entrySet().stream()
        .filter(e -> !foreignAnnotation.test(e.getKey()))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
