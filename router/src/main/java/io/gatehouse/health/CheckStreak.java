package io.gatehouse.health;

import io.gatehouse.model.backend.HealthCheck;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The probe results of one endpoint in a row, and the rules that turn them into a verdict: {@code
 * unhealthyThreshold} failures in a row make a healthy endpoint unhealthy, {@code healthyThreshold}
 * passes in a row make an unhealthy one healthy. Pure (the verdict it starts from is the registry's
 * current one, so a member taking over the probing continues where the last left off).
 */
final class CheckStreak {
  private int passes;
  private int failures;

  /**
   * Records one probe; returns the new verdict when it changes, else null.
   *
   * @param healthy the verdict before this probe
   */
  @Nullable Boolean record(boolean passed, boolean healthy, HealthCheck check) {
    if (passed) {
      passes++;
      failures = 0;
      if (!healthy && passes >= Math.max(1, check.healthyThreshold())) {
        return Boolean.TRUE;
      }
    } else {
      failures++;
      passes = 0;
      if (healthy && failures >= Math.max(1, check.unhealthyThreshold())) {
        return Boolean.FALSE;
      }
    }
    return null;
  }

  /**
   * The wait before the next probe, in milliseconds: the interval (none before the first probe)
   * plus a random jitter in {@code [0, jitter]}, so probes of many endpoints spread out.
   */
  static long delayMillis(HealthCheck check, boolean first, RandomGenerator random) {
    long jitter = Math.max(0, check.jitter().toMillis());
    long base = first ? 0 : Math.max(1, check.interval().toMillis());
    return Math.max(1, base + (jitter == 0 ? 0 : random.nextLong(jitter + 1)));
  }
}
