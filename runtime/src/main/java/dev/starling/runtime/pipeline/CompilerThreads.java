package dev.starling.runtime.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JVM's JIT compiler threads at the nice value of the inference threads, never above it
 * in priority.
 *
 * <p>Why: with {@code inference.niceness} the inference threads yield to every nice-0 thread, and
 * the C1/C2 compiler threads are nice-0 threads that keep compiling for tens of seconds after the
 * start. On one core a nice-10 inference thread gets about a tenth of the core against a busy
 * compiler thread, so unloaded requests waited behind the JIT (session 8, server pinned to one
 * core: unloaded p99 72 ms with niceness 10 against 3.5 ms without). At the inference threads'
 * value the two share the core evenly, and the HTTP threads (the fast 503s, health checks) still
 * come first.
 *
 * <p>The garbage collector and the VM thread stay where they are: they run while every Java thread
 * stands at a safepoint, so lowering them would lengthen every pause for all requests (ONNX Runtime
 * calls go on in native code during a pause and would then share the core with the collector).
 *
 * <p>HotSpot starts compiler threads on demand ({@code -XX:+UseDynamicNumberOfCompilerThreads}, on
 * by default) and ends idle ones; a compiler thread starts the new ones, which inherit its nice
 * value, and a rescan every {@link #RESCAN_SECONDS} s catches any started otherwise.
 */
public final class CompilerThreads {
  private static final Logger LOG = LoggerFactory.getLogger(CompilerThreads.class);

  /**
   * Name prefixes as the kernel has them ({@code /proc/self/task/TID/comm}, cut to 15 characters):
   * HotSpot's C1 and C2 compiler threads ("C2 CompilerThread0") and, up to JDK 19, the code cache
   * sweeper, which works for the compilers.
   */
  static final List<String> NAMES = List.of("C1 CompilerThre", "C2 CompilerThre", "Sweeper thread");

  static final int RESCAN_SECONDS = 5;

  private static int target = -1;
  private static ScheduledExecutorService rescan;

  private CompilerThreads() {}

  /** One thread of this process as the kernel sees it. */
  record Task(int tid, String name, int nice) {}

  /**
   * Raises the compiler threads' nice value to {@code nice} now and every {@link #RESCAN_SECONDS} s
   * from now on (for the process's lifetime: a thread's nice value cannot be lowered again without
   * a privilege). A later call with a higher value raises the target; a lower one changes nothing.
   */
  public static synchronized void keepAt(int nice) {
    if (nice <= target) {
      return;
    }
    target = nice;
    List<Task> lowered = lower(nice);
    LOG.info("JIT compiler threads at nice {}: {}", nice, lowered);
    if (rescan == null) {
      rescan =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "jit-nice-rescan");
                t.setDaemon(true);
                return t;
              });
      rescan.scheduleWithFixedDelay(
          CompilerThreads::rescan, RESCAN_SECONDS, RESCAN_SECONDS, TimeUnit.SECONDS);
    }
  }

  private static void rescan() {
    int nice;
    synchronized (CompilerThreads.class) {
      nice = target;
    }
    lower(nice);
  }

  /**
   * One pass: every compiler thread below nice {@code nice} is raised to it. Returns the compiler
   * threads found, with their values after the pass; a thread the system refused stays as it was
   * (said in a warning).
   */
  static List<Task> lower(int nice) {
    List<Task> out = new ArrayList<>();
    for (Task t : threads()) {
      if (NAMES.stream().noneMatch(t.name()::startsWith)) {
        continue;
      }
      Niceness.Outcome o = Niceness.raiseTo(t.tid(), nice);
      if (!o.applied()) {
        LOG.warn(
            "JIT compiler thread {} ({}) stays at nice {}: {}",
            t.tid(),
            t.name(),
            o.before(),
            o.problem());
      }
      out.add(new Task(t.tid(), t.name(), o.after()));
    }
    return out;
  }

  /** This process's threads with their names and nice values, from {@code /proc/self/task}. */
  static List<Task> threads() {
    List<Task> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Path.of("/proc/self/task"))) {
      for (Path d : dirs.toList()) {
        int tid = Integer.parseInt(d.getFileName().toString());
        try {
          out.add(new Task(tid, Files.readString(d.resolve("comm")).strip(), Niceness.niceOf(tid)));
        } catch (IOException ended) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot list this process's threads: {}", e.toString());
    }
    return out;
  }
}
