package dev.starling.operator.cache;

import com.github.benmanes.caffeine.cache.Interner;
import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An informer cache that keeps less of each object than the API server sends: only the {@code
 * managedFields} entries the operator reads, those entries' field sets shared between objects, and
 * (for pods) only what {@link dev.starling.operator.status.PodProblem} looks at.
 *
 * <p>Why: a field set ({@code fieldsV1}) is stored by the fabric8 model as nested maps, one per
 * field path, down to an empty map per leaf field; the operator's own entry on a Deployment is ~200
 * of them. At 250 ModelDeployments those maps were ~75 % of the 178k LinkedHashMaps in the
 * operator's live heap. Children built by the same factory have the same field set (keys name
 * fields and list-item keys, not values), so each distinct map is kept once, read-only.
 *
 * <p>The pruning happens in place, before the informer hands the object to event handlers; both the
 * cache and the handlers see the pruned object.
 */
public class PruningItemStore<R extends HasMetadata> implements ItemStore<R> {
  /** Field sets by value; weak, so a set no cached object uses any more is collected. */
  private static final Interner<Map<String, Object>> FIELD_SETS = Interner.newWeakInterner();

  private final BasicItemStore<R> delegate = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final Predicate<ManagedFieldsEntry> keep;
  private final Consumer<R> trim;

  protected PruningItemStore(Predicate<ManagedFieldsEntry> keep) {
    this(keep, r -> {});
  }

  protected PruningItemStore(Predicate<ManagedFieldsEntry> keep, Consumer<R> trim) {
    this.keep = keep;
    this.trim = trim;
  }

  /**
   * Drops entries for which {@code keep} is false and shares the field sets of the rest; leaves
   * objects without entries alone.
   */
  static void prune(HasMetadata resource, Predicate<ManagedFieldsEntry> keep) {
    ObjectMeta meta = resource.getMetadata();
    if (meta == null || meta.getManagedFields() == null || meta.getManagedFields().isEmpty()) {
      return;
    }
    List<ManagedFieldsEntry> kept = meta.getManagedFields().stream().filter(keep).toList();
    if (kept.size() != meta.getManagedFields().size()) {
      meta.setManagedFields(kept.isEmpty() ? null : kept);
    }
    kept.forEach(PruningItemStore::shareFieldSet);
  }

  private static void shareFieldSet(ManagedFieldsEntry entry) {
    FieldsV1 fields = entry.getFieldsV1();
    if (fields != null && fields.getAdditionalProperties() != null) {
      fields.setAdditionalProperties(shared(fields.getAdditionalProperties()));
    }
  }

  /**
   * The one read-only copy of a field set (bottom-up, so equal subtrees of different sets are one
   * object too). Values of a field set are maps all the way down; anything else is kept as is.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> shared(Map<String, Object> fieldSet) {
    Map<String, Object> copy = new LinkedHashMap<>(fieldSet.size());
    fieldSet.forEach(
        (k, v) -> copy.put(k, v instanceof Map<?, ?> m ? shared((Map<String, Object>) m) : v));
    return FIELD_SETS.intern(Collections.unmodifiableMap(copy));
  }

  @Override
  public String getKey(R resource) {
    return delegate.getKey(resource);
  }

  @Override
  public R put(String key, R resource) {
    prune(resource, keep);
    trim.accept(resource);
    return delegate.put(key, resource);
  }

  @Override
  public R remove(String key) {
    return delegate.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return delegate.keySet();
  }

  @Override
  public Stream<R> values() {
    return delegate.values();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public R get(String key) {
    return delegate.get(key);
  }

  /**
   * For objects the operator applies (its children) and reconciles (ModelDeployments): keeps only
   * the operator's own field-manager entry, which server-side-apply matching compares against the
   * desired state; entries of other managers (controllers writing status, users, HPA) go.
   */
  public static class OwnFields<R extends HasMetadata> extends PruningItemStore<R> {
    public OwnFields() {
      super(entry -> Names.MANAGED_BY.equals(entry.getManager()));
    }
  }

  /**
   * For pods, which the operator only reads for problems a user must act on: metadata (JOSDK's
   * event filter reads the annotations) and the containers' states. No field-manager entries, no
   * spec (as large as the Deployment's pod template), no conditions or addresses.
   */
  public static class Pods extends PruningItemStore<Pod> {
    public Pods() {
      super(entry -> false, Pods::trim);
    }

    static void trim(Pod pod) {
      pod.setSpec(null);
      PodStatus status = pod.getStatus();
      if (status != null) {
        PodStatus kept = new PodStatus();
        kept.setInitContainerStatuses(status.getInitContainerStatuses());
        kept.setContainerStatuses(status.getContainerStatuses());
        kept.setPhase(status.getPhase());
        pod.setStatus(kept);
      }
    }
  }
}
