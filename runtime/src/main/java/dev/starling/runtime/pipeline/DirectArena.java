package dev.starling.runtime.pipeline;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread native memory for request tensors. ONNX Runtime wraps a direct, native-order buffer
 * without copying, so decoding straight into one saves a copy and an allocation per request. Slices
 * stay valid until {@link #reset()}, which the owning thread calls when its request ends. Memory
 * above {@link #RETAINED_BYTES} is not kept between requests, so one huge request does not pin
 * memory on every thread.
 */
public final class DirectArena {
  static final int RETAINED_BYTES = 1 << 20;
  private static final ThreadLocal<DirectArena> LOCAL = ThreadLocal.withInitial(DirectArena::new);

  private ByteBuffer block = allocate(64 * 1024);

  public static DirectArena local() {
    return LOCAL.get();
  }

  /** A zeroed-position native-order slice of {@code bytes} bytes. */
  public ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE - 8) {
      throw ApiException.badRequest("request tensor of " + bytes + " bytes is too large");
    }
    int n = (int) bytes;
    int aligned = (n + 7) & ~7;
    if (block.remaining() < aligned) {
      block = allocate(Math.max(aligned, Math.min(block.capacity() * 2, RETAINED_BYTES)));
    }
    ByteBuffer slice = block.slice(block.position(), n).order(ByteOrder.nativeOrder());
    block.position(block.position() + aligned);
    return slice;
  }

  public void reset() {
    if (block.capacity() > RETAINED_BYTES) {
      ByteBuffer big = block;
      block = allocate(RETAINED_BYTES);
      free(big);
    }
    block.clear();
  }

  /**
   * Frees an oversized block now rather than at the next garbage collection, which an idle server
   * may not have for a long time (one 65,536-row request left its 16 MiB block resident). Safe
   * because no slice of a block is used after {@link #reset()}: the tensors over it are closed and
   * the answer is encoded by then.
   */
  private static void free(ByteBuffer block) {
    if (UNSAFE != null) {
      UNSAFE.invokeCleaner(block);
    }
  }

  private static final sun.misc.Unsafe UNSAFE = unsafe();

  private static sun.misc.Unsafe unsafe() {
    try {
      java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // then the collector frees oversized blocks, as for any direct buffer
    }
  }

  private static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }
}
