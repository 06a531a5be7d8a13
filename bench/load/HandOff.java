import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * What one thread hand-off costs on this machine: two threads pass a turn back and forth with
 * {@link LockSupport#park()}/{@link LockSupport#unpark}, the way a batched request's thread parks
 * until the leader that ran its rows wakes it. Prints wall time and the process's CPU time per hand-off
 * (one round trip is two), the best of ROUNDS rounds. No network, bounded by the count.
 *
 * <pre>
 * java bench/load/HandOff.java [ROUND_TRIPS=200000] [ROUNDS=3]
 * </pre>
 */
public final class HandOff {
  private static volatile int turn;

  public static void main(String[] args) throws InterruptedException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double bestWall = Double.MAX_VALUE;
    double bestCpu = Double.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      Thread main = Thread.currentThread();
      turn = 0;
      Thread other =
          new Thread(
              () -> {
                for (int i = 0; i < n; i++) {
                  while (turn != 1) {
                    LockSupport.park();
                  }
                  turn = 0;
                  LockSupport.unpark(main);
                }
              });
      other.start();
      long c0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        turn = 1;
        LockSupport.unpark(other);
        while (turn != 0) {
          LockSupport.park();
        }
      }
      long t1 = System.nanoTime();
      long c1 = os.getProcessCpuTime();
      other.join();
      bestWall = Math.min(bestWall, (t1 - t0) / 1e3 / (2.0 * n));
      bestCpu = Math.min(bestCpu, (c1 - c0) / 1e3 / (2.0 * n));
    }
    System.out.printf(
        "HANDOFF_RESULT {\"hand_offs\":%d,\"rounds\":%d,\"wall_us\":%.2f,\"cpu_us\":%.2f}%n",
        2L * n, rounds, bestWall, bestCpu);
  }
}
