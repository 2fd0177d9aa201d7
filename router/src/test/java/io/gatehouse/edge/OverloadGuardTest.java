package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Load shedding: event-loop lag transitions and heap pressure. */
class OverloadGuardTest {
  static final long MAX_LAG = TimeUnit.MILLISECONDS.toNanos(200);

  private static void lateTimes(OverloadGuard.LoopProbe probe, int times, long lateBy) {
    for (int i = 0; i < times; i++) {
      probe.record(lateBy);
    }
  }

  @Test
  void lag_at_the_threshold_is_not_shedding_and_one_nanosecond_more_is() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    OverloadGuard.LoopProbe loop = g.newLoopProbe();
    lateTimes(loop, OverloadGuard.SUSTAINED_PROBES, MAX_LAG);
    assertThat(g.shedding()).isFalse();
    lateTimes(loop, OverloadGuard.SUSTAINED_PROBES, MAX_LAG + 1);
    assertThat(g.shedding()).isTrue();
  }

  @Test
  void one_late_probe_short_of_sustained_is_not_shedding() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    OverloadGuard.LoopProbe loop = g.newLoopProbe();
    lateTimes(loop, OverloadGuard.SUSTAINED_PROBES - 1, MAX_LAG * 10);
    assertThat(g.shedding()).isFalse();
    // An on-time probe resets the run: a GC pause now and then never sheds.
    loop.record(0);
    lateTimes(loop, OverloadGuard.SUSTAINED_PROBES - 1, MAX_LAG * 10);
    assertThat(g.shedding()).isFalse();
    loop.record(MAX_LAG * 10);
    assertThat(g.shedding()).isTrue();
  }

  @Test
  void shedding_stops_when_the_lagging_loop_recovers() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    OverloadGuard.LoopProbe loop = g.newLoopProbe();
    lateTimes(loop, OverloadGuard.SUSTAINED_PROBES, MAX_LAG * 2);
    assertThat(g.shedding()).isTrue();
    assertThat(loop.record(0)).isFalse();
    assertThat(g.shedding()).isFalse();
  }

  @Test
  void a_loop_reporting_lag_many_times_counts_once() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    OverloadGuard.LoopProbe loop = g.newLoopProbe();
    lateTimes(loop, OverloadGuard.SUSTAINED_PROBES * 3, MAX_LAG * 2);
    loop.record(0);
    assertThat(g.shedding()).isFalse();
  }

  @Test
  void shedding_lasts_while_any_loop_lags() {
    OverloadGuard g = new OverloadGuard(1.0, MAX_LAG);
    OverloadGuard.LoopProbe a = g.newLoopProbe();
    OverloadGuard.LoopProbe b = g.newLoopProbe();
    lateTimes(a, OverloadGuard.SUSTAINED_PROBES, MAX_LAG * 2);
    lateTimes(b, OverloadGuard.SUSTAINED_PROBES, MAX_LAG * 2);
    a.record(0);
    assertThat(g.shedding()).isTrue();
    b.record(0);
    assertThat(g.shedding()).isFalse();
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

  @Test
  void only_the_old_generation_is_watched_never_a_young_pool() {
    // A survivor space is nearly full right after every young collection: watching it would
    // shed healthy traffic (seen in a benchmark as 503s under load).
    OverloadGuard g = new OverloadGuard(0.95, MAX_LAG);
    assertThat(g.watchedPools()).isNotEmpty();
    assertThat(g.watchedPools()).noneMatch(n -> n.contains("Survivor") || n.contains("Eden"));
  }
}
