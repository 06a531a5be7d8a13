package dev.starling.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.runtime.config.RateLimitConfig;
import org.junit.jupiter.api.Test;

/** Token buckets per client, and new limits applied to them in place. */
class RateLimiterTest {

  /**
   * 0.1 rps (one token per 10 s, so nothing refills during the test), burst 2. Client a spends both
   * tokens; the burst is raised to 5: a keeps its empty bucket (no fresh burst because the limits
   * changed), a new client b gets the new 5; the burst lowered to 1: b's 3 left tokens are cut to
   * 1.
   */
  @Test
  void newLimitsKeepEachClientsTokensUpToTheNewBurst() {
    RateLimiter limiter = new RateLimiter(new RateLimitConfig(0.1, 2, null));
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isPositive();

    limiter.reconfigure(new RateLimitConfig(0.1, 5, null));
    assertThat(limiter.tryAcquire("a")).as("a spent its burst; no fresh one").isPositive();
    for (int i = 0; i < 2; i++) {
      assertThat(limiter.tryAcquire("b")).as("b's token %d of 5", i + 1).isZero();
    }

    limiter.reconfigure(new RateLimitConfig(0.1, 1, null));
    assertThat(limiter.tryAcquire("b")).as("b's 3 left, cut to the new burst of 1").isZero();
    assertThat(limiter.tryAcquire("b")).isPositive();
    assertThat(limiter.clients()).isEqualTo(2);
  }
}
