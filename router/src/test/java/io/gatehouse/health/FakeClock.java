package io.gatehouse.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A clock and timers that move only when told: the detector's tests run in no real time. */
final class FakeClock implements HealthClock, HealthRegistry.Timers {
  private long nanos = 1_000_000_000L;
  private long millis = 1_700_000_000_000L;
  private final List<long[]> dues = new ArrayList<>();
  private final List<Runnable> tasks = new ArrayList<>();

  @Override
  public long nanoTime() {
    return nanos;
  }

  @Override
  public long epochMillis() {
    return millis;
  }

  @Override
  public void schedule(long delayNanos, Runnable task) {
    dues.add(new long[] {nanos + delayNanos});
    tasks.add(task);
  }

  /** Moves both clocks by {@code d} and runs the timers that came due. */
  void advance(Duration d) {
    nanos += d.toNanos();
    millis += d.toMillis();
    List<Runnable> due = new ArrayList<>();
    for (int i = dues.size() - 1; i >= 0; i--) {
      if (dues.get(i)[0] - nanos <= 0) {
        due.add(tasks.remove(i));
        dues.remove(i);
      }
    }
    due.forEach(Runnable::run);
  }

  /** Moves the wall clock only (another member's skew). */
  void skewWall(Duration d) {
    millis += d.toMillis();
  }
}
