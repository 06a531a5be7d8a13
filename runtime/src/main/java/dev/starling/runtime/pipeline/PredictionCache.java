package dev.starling.runtime.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.starling.runtime.config.CacheConfig;
import dev.starling.runtime.model.Datatype;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Caches a model's outputs by the canonical bytes of what it was given: the model's digest, then
 * every input (sorted by name) as name, datatype, shape and its typed element bytes, then the
 * requested outputs. Two JSON spellings of one request ({@code 1} and {@code 1.0}, keys in another
 * order) decode to the same bytes and so share an entry; another model file never does, because its
 * digest leads the key. Hits are encoded from the very same outputs, so a cached answer is
 * byte-for-byte the model's.
 */
public final class PredictionCache {
  private final Cache<Key, List<OutputTensor>> cache;

  public PredictionCache(CacheConfig config, MeterRegistry registry, String model, String version) {
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(config.maxEntries())
            .expireAfterWrite(config.ttl())
            .recordStats()
            .build();
    CaffeineCacheMetrics.monitor(
        registry, cache, "starling.predictions", Tags.of("model", model, "version", version));
  }

  /**
   * New bounds from a reloaded config, in place (Caffeine's policy): a smaller {@code maxEntries}
   * evicts down to it, a new {@code ttl} counts from each entry's write, so entries older than a
   * shortened ttl expire at once. Entries stay valid either way: the key holds the model digest.
   */
  public void resize(CacheConfig config) {
    cache.policy().eviction().ifPresent(e -> e.setMaximum(config.maxEntries()));
    cache.policy().expireAfterWrite().ifPresent(e -> e.setExpiresAfter(config.ttl()));
  }

  /** Drops every entry (the cache was turned off; a later turn-on starts empty). */
  public void clear() {
    cache.invalidateAll();
  }

  public List<OutputTensor> get(Key key) {
    return cache.getIfPresent(key);
  }

  public void put(Key key, List<OutputTensor> outputs) {
    cache.put(key, outputs);
  }

  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** The canonical bytes of one request, compared by content. */
  public record Key(byte[] bytes, int hash) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  public static Key key(String modelSha256, List<InferInput> inputs, Set<String> outputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    string(out, modelSha256);
    List<InferInput> sorted =
        inputs.stream().sorted(Comparator.comparing(InferInput::name)).toList();
    for (InferInput in : sorted) {
      string(out, in.name());
      out.write(in.datatype().ordinal());
      out.write(in.shape().length);
      for (long d : in.shape()) {
        longBytes(out, d);
      }
      TensorData data = in.data();
      if (in.datatype() == Datatype.BYTES) {
        for (int i = 0; i < data.count(); i++) {
          string(out, data.strings()[i]);
        }
      } else {
        ByteBuffer b = data.buffer();
        byte[] copy = new byte[b.limit()];
        b.get(0, copy);
        out.write(copy, 0, copy.length);
      }
    }
    if (outputs != null) {
      for (String o : new TreeSet<>(outputs)) {
        string(out, o);
      }
    }
    byte[] bytes = out.toByteArray();
    return new Key(bytes, Arrays.hashCode(bytes));
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    longBytes(out, b.length);
    out.write(b, 0, b.length);
  }

  private static void longBytes(ByteArrayOutputStream out, long v) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)));
    }
  }
}
