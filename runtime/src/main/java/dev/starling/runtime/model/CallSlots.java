package dev.starling.runtime.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's idle {@link CallSlot}s, per row count. A call borrows one (or a new one is made),
 * so two calls never share a slot's buffers; it is given back once the outputs are copied out. Only
 * small calls use slots ({@link #MAX_ROWS}, {@link #MAX_SLOT_BYTES}), and at most {@link
 * #IDLE_PER_ROWS} idle ones are kept per row count, so the memory they pin stays small (MLP, 16
 * rows: 4.7 KiB a slot).
 */
final class CallSlots {
  private static final Logger LOG = LoggerFactory.getLogger(CallSlots.class);

  static final int MAX_ROWS = 64;
  static final long MAX_SLOT_BYTES = 64 * 1024;
  static final int IDLE_PER_ROWS = 4;

  private final OrtEnvironment env;
  private final ModelSignature signature;
  private final Map<Integer, Pool> pools = new ConcurrentHashMap<>();

  /** False when the model cannot use slots (a string tensor, or a free dim after the first). */
  private volatile boolean enabled;

  private volatile boolean closed;

  private static final class Pool {
    final Queue<CallSlot> idle = new ConcurrentLinkedQueue<>();
    final AtomicInteger size = new AtomicInteger();
    volatile boolean tooLarge;
  }

  CallSlots(OrtEnvironment env, ModelSignature signature) {
    this.env = env;
    this.signature = signature;
    this.enabled = usable(signature);
  }

  /** Whether every tensor is numeric with a shape fixed by the row count. */
  static boolean usable(ModelSignature sig) {
    for (TensorSpec t : sig.inputs()) {
      if (!pinnable(t)) {
        return false;
      }
    }
    for (TensorSpec t : sig.outputs()) {
      if (!pinnable(t)) {
        return false;
      }
    }
    return true;
  }

  private static boolean pinnable(TensorSpec t) {
    return t.datatype() != Datatype.BYTES
        && t.datatype().creatable()
        && t.rank() > 0
        && CallSlot.shapeFor(t, 1) != null;
  }

  /** An idle or new slot for {@code rows} rows; null when this call cannot use one. */
  CallSlot borrow(long rows) {
    if (!enabled || closed || rows < 1 || rows > MAX_ROWS) {
      return null;
    }
    Pool pool = pools.computeIfAbsent((int) rows, r -> new Pool());
    if (pool.tooLarge) {
      return null;
    }
    CallSlot slot = pool.idle.poll();
    if (slot != null) {
      pool.size.decrementAndGet();
      return slot;
    }
    try {
      slot = CallSlot.create(env, signature, (int) rows);
    } catch (OrtException | ArithmeticException e) {
      LOG.warn("no reusable tensors for {}-row calls: {}", rows, e.getMessage());
      pool.tooLarge = true;
      return null;
    }
    if (slot.bytes() > MAX_SLOT_BYTES) {
      pool.tooLarge = true;
      slot.close();
      return null;
    }
    return slot;
  }

  /** Keeps {@code slot} for the next call of its size, or closes it if enough are idle. */
  void giveBack(CallSlot slot) {
    Pool pool = pools.get(slot.rows());
    if (closed || !enabled || pool == null) {
      slot.close();
      return;
    }
    if (pool.size.incrementAndGet() > IDLE_PER_ROWS) {
      pool.size.decrementAndGet();
      slot.close();
      return;
    }
    pool.idle.add(slot);
    if (closed) {
      closeIdle(); // closed while it was being given back
    }
  }

  /**
   * No slot is used again: a pinned call failed where the same call without them succeeded, so this
   * model's output shapes are not what its signature promises for the row count.
   */
  void disable(String why) {
    if (enabled) {
      enabled = false;
      LOG.warn("reusable output tensors turned off for this model: {}", why);
    }
    closeIdle();
  }

  boolean enabled() {
    return enabled;
  }

  /** Idle slots kept for {@code rows} rows (for tests). */
  int idle(int rows) {
    Pool pool = pools.get(rows);
    return pool == null ? 0 : pool.size.get();
  }

  void close() {
    closed = true;
    closeIdle();
  }

  private void closeIdle() {
    for (Pool pool : pools.values()) {
      CallSlot s;
      while ((s = pool.idle.poll()) != null) {
        pool.size.decrementAndGet();
        s.close();
      }
    }
  }
}
