package dev.starling.runtime.pipeline;

import java.util.Arrays;

/**
 * Element counts of shapes, with overflow-safe arithmetic: {@code [16, 2^60]} is refused, not
 * wrapped.
 */
public final class Shapes {
  private Shapes() {}

  /**
   * The number of elements a shape holds, or -1 when it exceeds {@code limit}. Example: [2, 3] → 6;
   * [16, 2^60] → 2^64 does not fit a long, so -1; [0, 2^62] → 0.
   */
  public static long elementCount(long[] shape, long limit) {
    long n = 1;
    for (long d : shape) {
      if (d == 0) {
        return 0;
      }
    }
    for (long d : shape) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return -1;
      }
      if (n > limit) {
        return -1;
      }
    }
    return n;
  }

  public static String toString(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }
}
