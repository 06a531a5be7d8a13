package dev.starling.runtime.router;

/**
 * Which requests to copy to the shadow: exactly {@code percent} of every hundred consecutive
 * requests, spread out. Request n is copied when {@code floor((n+1)·p/100) > floor(n·p/100)}; for p
 * = 20 that is requests 4, 9, 14, … (one in five).
 */
public final class MirrorSampler {
  private final int percent;

  public MirrorSampler(int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent " + percent);
    }
    this.percent = percent;
  }

  public boolean sample(long sequence) {
    long n = Long.remainderUnsigned(sequence, 100);
    return (n + 1) * percent / 100 > n * percent / 100;
  }
}
