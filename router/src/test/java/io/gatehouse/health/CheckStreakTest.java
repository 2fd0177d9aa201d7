package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.backend.HealthCheck;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CheckStreakTest {
  private static final HealthCheck CHECK = HealthCheck.http("/healthz").withThresholds(3, 2);

  @Test
  void a_healthy_endpoint_turns_unhealthy_at_the_third_failure_in_a_row() {
    CheckStreak s = new CheckStreak();
    assertThat(s.record(false, true, CHECK)).isNull();
    assertThat(s.record(false, true, CHECK)).isNull();
    assertThat(s.record(true, true, CHECK)).isNull(); // a pass restarts the count
    assertThat(s.record(false, true, CHECK)).isNull();
    assertThat(s.record(false, true, CHECK)).isNull();
    assertThat(s.record(false, true, CHECK)).isFalse();
  }

  @Test
  void an_unhealthy_endpoint_turns_healthy_at_the_second_pass_in_a_row() {
    CheckStreak s = new CheckStreak();
    assertThat(s.record(true, false, CHECK)).isNull();
    assertThat(s.record(false, false, CHECK)).isNull();
    assertThat(s.record(true, false, CHECK)).isNull();
    assertThat(s.record(true, false, CHECK)).isTrue();
  }

  @Test
  void results_that_agree_with_the_verdict_change_nothing() {
    CheckStreak s = new CheckStreak();
    for (int i = 0; i < 10; i++) {
      assertThat(s.record(true, true, CHECK)).isNull();
      assertThat(new CheckStreak().record(false, false, CHECK)).isNull();
    }
  }

  @Test
  void the_delay_is_the_interval_plus_a_jitter_within_its_bounds() {
    HealthCheck c =
        CHECK.withTiming(Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofMillis(50));
    SplittableRandom random = new SplittableRandom(7);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 10_000; i++) {
      long d = CheckStreak.delayMillis(c, false, random);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isEqualTo(500);
    assertThat(max).isEqualTo(550);
    long firstMax = 0;
    for (int i = 0; i < 10_000; i++) {
      firstMax = Math.max(firstMax, CheckStreak.delayMillis(c, true, random));
    }
    assertThat(firstMax).as("the first probe waits for the jitter only").isBetween(1L, 50L);
  }

  @Test
  void without_jitter_the_delay_is_the_interval_exactly() {
    HealthCheck c = CHECK.withTiming(Duration.ofMillis(200), Duration.ofMillis(100), Duration.ZERO);
    assertThat(CheckStreak.delayMillis(c, false, new SplittableRandom(1))).isEqualTo(200);
  }
}
