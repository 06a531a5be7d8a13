package dev.starling.operator.cache;

import dev.starling.operator.desired.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * An informer cache that keeps each object as its JSON text, deflated, and reads it back on every
 * access.
 *
 * <p>Why: a fabric8 model object takes ~5 times its JSON size in heap (a map per object for unknown
 * properties, boxed numbers, one object per nested field). A one-version ModelDeployment's children
 * and pods are ~20 KB of JSON but were ~110 KB of live heap, which at 1,000 ModelDeployments does
 * not fit the operator's memory budget. Reading back costs a parse per access (each reconciliation
 * reads a few objects per child kind); every reader gets its own copy, so no reader can change the
 * cache by mutating what it got.
 *
 * <p>What is stored is pruned first, as {@link PruningItemStore} does: only the operator's own
 * field-manager entry; for pods only what {@link dev.starling.operator.status.PodProblem} reads.
 */
public class CompactItemStore<R extends HasMetadata> implements ItemStore<R> {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final Map<String, byte[]> items = new ConcurrentHashMap<>();
  private final Predicate<ManagedFieldsEntry> keep;
  private final Consumer<R> trim;
  private volatile Class<R> type;

  protected CompactItemStore(Predicate<ManagedFieldsEntry> keep, Consumer<R> trim) {
    this.keep = keep;
    this.trim = trim;
  }

  @Override
  public String getKey(R resource) {
    return Cache.metaNamespaceKeyFunc(resource);
  }

  @Override
  @SuppressWarnings("unchecked")
  public R put(String key, R resource) {
    PruningItemStore.prune(resource, keep);
    trim.accept(resource);
    type = (Class<R>) resource.getClass();
    return read(items.put(key, deflate(JSON.asJson(resource).getBytes(StandardCharsets.UTF_8))));
  }

  @Override
  public R remove(String key) {
    return read(items.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<R> values() {
    return items.values().stream().map(this::read);
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public R get(String key) {
    return read(items.get(key));
  }

  private R read(byte[] deflated) {
    if (deflated == null) {
      return null;
    }
    Inflater inflater = new Inflater();
    try (InputStream json =
        new InflaterInputStream(new ByteArrayInputStream(deflated), inflater, 4096)) {
      return JSON.unmarshal(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      inflater.end();
    }
  }

  static byte[] deflate(byte[] json) {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 64);
    try (DeflaterOutputStream zip = new DeflaterOutputStream(out, deflater, 4096)) {
      zip.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown by in-memory streams
    } finally {
      deflater.end();
    }
    return out.toByteArray();
  }

  /** For the operator's children: only its own field-manager entry (SSA matching reads it). */
  public static class OwnFields<R extends HasMetadata> extends CompactItemStore<R> {
    public OwnFields() {
      super(entry -> Names.MANAGED_BY.equals(entry.getManager()), r -> {});
    }
  }

  /** For pods: see {@link PruningItemStore.Pods}. */
  public static class Pods extends CompactItemStore<Pod> {
    public Pods() {
      super(entry -> false, PruningItemStore.Pods::trim);
    }
  }
}
