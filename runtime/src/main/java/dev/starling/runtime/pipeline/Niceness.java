package dev.starling.runtime.pipeline;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers the calling thread's scheduling priority by raising its Linux nice value. Linux keeps a
 * nice value per thread, and any process may raise its own threads' values (only lowering them
 * again needs a privilege), so this works in an unprivileged container; threads a lowered thread
 * creates inherit its value. Elsewhere, or if the system refuses, nothing changes and the result
 * says why.
 */
public final class Niceness {
  /** The highest nice value (lowest priority) Linux knows. */
  public static final int MAX = 19;

  private static final int PRIO_PROCESS = 0;

  private Niceness() {}

  /** What {@link #lowerCurrentThread} did: the thread's nice value before and after, or why not. */
  public record Outcome(int before, int after, String problem) {
    public boolean applied() {
      return problem == null;
    }
  }

  private interface LibC extends Library {
    int setpriority(int which, int who, int prio);
  }

  /** Loaded on first use, so a system without JNA's native part fails only where it is needed. */
  private static final class Holder {
    static final LibC LIBC = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
  }

  /**
   * Raises the calling thread's nice value by {@code by} (capped at {@link #MAX}), as {@code nice
   * -n} does for a process: relative, so a server already started at nice 5 runs its inference at 5
   * + by.
   */
  public static Outcome lowerCurrentThread(int by) {
    if (!Platform.isLinux()) {
      return new Outcome(0, 0, "thread nice values are applied on Linux only");
    }
    int tid;
    int before;
    try {
      tid = currentThreadId();
      before = niceOf(tid);
    } catch (IOException | RuntimeException e) {
      return new Outcome(0, 0, "cannot read this thread's id or nice value: " + e.getMessage());
    }
    return raiseTo(tid, before + by);
  }

  /**
   * Raises the nice value of thread {@code tid} of this process to {@code nice} (capped at {@link
   * #MAX}) unless it is already there or higher: never lowers a value, which would need a
   * privilege.
   */
  public static Outcome raiseTo(int tid, int nice) {
    if (!Platform.isLinux()) {
      return new Outcome(0, 0, "thread nice values are applied on Linux only");
    }
    int before;
    try {
      before = niceOf(tid);
    } catch (IOException | RuntimeException e) {
      return new Outcome(
          0, 0, "cannot read the nice value of thread " + tid + ": " + e.getMessage());
    }
    int target = Math.min(MAX, nice);
    if (before >= target) {
      return new Outcome(before, before, null);
    }
    try {
      if (Holder.LIBC.setpriority(PRIO_PROCESS, tid, target) != 0) {
        return new Outcome(
            before, before, "setpriority refused (errno " + Native.getLastError() + ")");
      }
      return new Outcome(before, niceOf(tid), null);
    } catch (IOException | LinkageError | RuntimeException e) {
      return new Outcome(before, before, "cannot call setpriority: " + e);
    }
  }

  /** The kernel's id of the calling thread, from {@code /proc/thread-self -> PID/task/TID}. */
  static int currentThreadId() throws IOException {
    Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
    return Integer.parseInt(link.getFileName().toString());
  }

  /** A thread's nice value: field 19 of {@code /proc/self/task/TID/stat}. */
  public static int niceOf(int tid) throws IOException {
    String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
    // the name (field 2) is in parentheses and may hold spaces: count fields after its end
    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(rest[19 - 3]);
  }
}
