package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Load shedding: event-loop lag transitions and heap pressure. */
class OverloadGuardTest {
  static final long MAX_LAG = TimeUnit.MILLISECONDS.toNanos(200);

  @Test
  void lag_at_the_threshold_is_not_shedding_and_one_nanosecond_more_is() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    assertThat(g.reportLag(false, MAX_LAG)).isFalse();
    assertThat(g.shedding()).isFalse();
    assertThat(g.reportLag(false, MAX_LAG + 1)).isTrue();
    assertThat(g.shedding()).isTrue();
  }

  @Test
  void shedding_stops_when_the_lagging_loop_recovers() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    boolean loop = g.reportLag(false, MAX_LAG * 2);
    assertThat(g.shedding()).isTrue();
    loop = g.reportLag(loop, 0);
    assertThat(loop).isFalse();
    assertThat(g.shedding()).isFalse();
  }

  @Test
  void a_loop_reporting_lag_twice_counts_once() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    boolean loop = g.reportLag(false, MAX_LAG * 2);
    loop = g.reportLag(loop, MAX_LAG * 3);
    assertThat(loop).isTrue();
    loop = g.reportLag(loop, 0);
    assertThat(g.shedding()).as("one recovery undoes the one lagging loop").isFalse();
  }

  @Test
  void shedding_lasts_while_any_loop_lags() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    boolean a = g.reportLag(false, MAX_LAG * 2);
    boolean b = g.reportLag(false, MAX_LAG * 2);
    a = g.reportLag(a, 0);
    assertThat(g.shedding()).as("loop b still lags").isTrue();
    b = g.reportLag(b, 0);
    assertThat(g.shedding()).isFalse();
    assertThat(a || b).isFalse();
  }

  @Test
  void heap_above_the_ratio_after_gc_sheds_and_below_does_not() {
    // A ratio no occupancy can exceed, and one every reported occupancy exceeds.
    OverloadGuard calm = new OverloadGuard(1.0, MAX_LAG);
    calm.sampleHeap();
    assertThat(calm.shedding()).isFalse();
    OverloadGuard pressed = new OverloadGuard(-1.0, MAX_LAG);
    pressed.sampleHeap();
    assertThat(pressed.shedding()).isTrue();
  }
}
