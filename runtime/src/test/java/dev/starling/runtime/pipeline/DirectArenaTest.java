package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A thread's request memory: reused while small, an oversized block freed at once on reset. */
class DirectArenaTest {
  private static final long BIG = 8L * 1024 * 1024;

  @Test
  void anOversizedBlockIsFreedOnResetWithoutWaitingForTheCollector() {
    DirectArena arena = new DirectArena();
    ByteBuffer slice = arena.allocate(BIG);
    slice.putLong(0, 42);
    long inUse = directBytes();
    arena.reset();
    long freed = inUse - directBytes();
    // the block goes and a RETAINED_BYTES one replaces it; no GC ran in between
    assertThat(freed).isGreaterThanOrEqualTo(BIG - DirectArena.RETAINED_BYTES);
  }

  @Test
  void smallRequestsReuseTheSameBlock() {
    DirectArena arena = new DirectArena();
    arena.allocate(1000);
    arena.reset();
    long before = directBytes();
    for (int i = 0; i < 100; i++) {
      arena.allocate(4000).putInt(0, i);
      arena.reset();
    }
    assertThat(directBytes()).isLessThan(before + 1024 * 1024); // not 100 new 64 KiB blocks
  }

  private static long directBytes() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(p -> p.getName().equals("direct"))
        .findFirst()
        .orElseThrow()
        .getMemoryUsed();
  }
}
