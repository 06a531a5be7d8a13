package dev.starling.runtime.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.pipeline.CompilerThreads.Task;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Which threads {@link CompilerThreads} lowers, read back from {@code /proc/self/task} after real
 * {@code setpriority} calls on this JVM's own threads: HotSpot's compiler threads of this very test
 * run, and stand-in threads named as the kernel names HotSpot's.
 */
@EnabledOnOs(OS.LINUX)
class CompilerThreadsTest {

  /** A parked thread named {@code name}, and its kernel id once it runs. */
  private static final class Parked implements AutoCloseable {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger tid = new AtomicInteger();
    final Thread thread;

    Parked(String name) throws InterruptedException {
      CountDownLatch started = new CountDownLatch(1);
      thread =
          new Thread(
              () -> {
                try {
                  tid.set(Niceness.currentThreadId());
                  started.countDown();
                  release.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              name);
      thread.start();
      started.await();
    }

    int nice() throws Exception {
      return Niceness.niceOf(tid.get());
    }

    @Override
    public void close() throws InterruptedException {
      release.countDown();
      thread.join();
    }
  }

  private static Map<Integer, Task> byTid() {
    return CompilerThreads.threads().stream()
        .collect(Collectors.toMap(Task::tid, Function.identity()));
  }

  private static boolean isCompiler(Task t) {
    return CompilerThreads.NAMES.stream().anyMatch(t.name()::startsWith);
  }

  @Test
  void compilerThreadsAreRaisedAndNoOtherThreadIs() throws Exception {
    int base = Niceness.niceOf(Niceness.currentThreadId());
    // a thread HotSpot did not make but named like its compiler threads (a Java thread's kernel
    // name is its name cut to 15 characters), and one named like a GC worker, at the base value
    try (Parked compiler = new Parked("C2 CompilerThread99");
        Parked gc = new Parked("GC Thread#99")) {
      Map<Integer, Task> before = byTid();
      List<Task> compilers =
          before.values().stream().filter(CompilerThreadsTest::isCompiler).toList();
      assertThat(compilers).extracting(Task::name).contains("C1 CompilerThre", "C2 CompilerThre");
      // above every compiler thread's value so far (earlier tests may have lowered them already)
      int target =
          Math.min(Niceness.MAX, compilers.stream().mapToInt(Task::nice).max().orElse(base) + 1);

      List<Task> lowered = CompilerThreads.lower(target);

      assertThat(lowered).extracting(Task::tid).contains(compiler.tid.get());
      assertThat(lowered).allSatisfy(t -> assertThat(isCompiler(t)).isTrue());
      assertThat(compiler.nice()).isEqualTo(target);
      assertThat(gc.nice()).isEqualTo(base);
      Map<Integer, Task> after = byTid();
      for (Task t : after.values()) {
        Task was = before.get(t.tid());
        if (isCompiler(t)) {
          assertThat(t.nice()).as(t.toString()).isEqualTo(target);
        } else if (was != null) {
          assertThat(t.nice()).as("%s untouched", t).isEqualTo(was.nice());
        }
      }
      assertThat(after.values())
          .filteredOn(t -> t.name().equals("VM Thread") || t.name().startsWith("GC Thread#"))
          .as("the VM thread and the GC workers")
          .isNotEmpty()
          .allSatisfy(t -> assertThat(t.nice()).isEqualTo(before.get(t.tid()).nice()));
    }
  }

  @Test
  void aThreadAlreadyLowerIsNotRaisedBack() throws Exception {
    int base = Niceness.niceOf(Niceness.currentThreadId());
    try (Parked p = new Parked("C1 CompilerThread98")) {
      int high = Math.min(Niceness.MAX, base + 6);
      assertThat(Niceness.raiseTo(p.tid.get(), high).applied()).isTrue();
      assertThat(p.nice()).isEqualTo(high);

      Niceness.Outcome o = Niceness.raiseTo(p.tid.get(), base + 2);

      assertThat(o.applied()).isTrue();
      assertThat(o.after()).isEqualTo(high);
      assertThat(p.nice()).isEqualTo(high);
      assertThat(CompilerThreads.lower(base + 1))
          .filteredOn(t -> t.tid() == p.tid.get())
          .singleElement()
          .extracting(Task::nice)
          .isEqualTo(high);
    }
  }
}
