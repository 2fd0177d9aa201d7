package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Timeouts;
import io.gatehouse.proxy.SlowClientDeadlines.Expired;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The deadlines against a fake clock: a plain nanosecond counter that the test moves. */
@Timeout(10)
class SlowClientDeadlinesTest {
  private static final long S = 1_000_000_000L;

  /** connect 1 s, response 5 s, body idle 10 s, request 30 s. */
  private static final Timeouts TIMEOUTS =
      new Timeouts(
          Duration.ofSeconds(1),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(30));

  /** Starts near the end of the long range: the checks must survive nanoTime wrapping. */
  private long now = Long.MAX_VALUE - 20 * S;

  private final SlowClientDeadlines deadlines = new SlowClientDeadlines();

  @Test
  void nothing_armed_never_expires() {
    now += 1000 * S;
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.NONE);
  }

  @Test
  void the_request_deadline_fires_once_at_the_whole_request_limit() {
    long start = now;
    deadlines.armRequest(start, 30 * S, false, -1);
    now = start + 30 * S - 1;
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.NONE);
    now = start + 30 * S;
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.REQUEST);
    assertThat(deadlines.check(now + S, TIMEOUTS)).isEqualTo(Expired.NONE);
  }

  @Test
  void a_tunnel_has_no_request_deadline() {
    deadlines.armRequest(now, 30 * S, true, -1);
    assertThat(deadlines.check(now + 3600 * S, TIMEOUTS)).isEqualTo(Expired.NONE);
  }

  @Test
  void a_shorter_grpc_timeout_wins_and_a_longer_one_does_not() {
    long start = now;
    deadlines.armRequest(start, 30 * S, false, 2 * S);
    assertThat(deadlines.check(start + 2 * S - 1, TIMEOUTS)).isEqualTo(Expired.NONE);
    assertThat(deadlines.check(start + 2 * S, TIMEOUTS)).isEqualTo(Expired.REQUEST);

    SlowClientDeadlines longer = new SlowClientDeadlines();
    longer.armRequest(start, 30 * S, false, 60 * S);
    assertThat(longer.check(start + 30 * S, TIMEOUTS)).isEqualTo(Expired.REQUEST);
  }

  @Test
  void a_grpc_timeout_applies_where_the_route_sets_no_request_limit() {
    long start = now;
    deadlines.armRequest(start, 0, false, 3 * S);
    assertThat(deadlines.check(start + 3 * S, TIMEOUTS)).isEqualTo(Expired.REQUEST);
  }

  @Test
  void a_client_that_stops_sending_its_body_expires_at_the_body_idle_limit() {
    deadlines.bodyReadAt(now);
    now += 9 * S;
    deadlines.bodyReadAt(now);
    now += 10 * S - 1;
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.NONE);
    now += 1;
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.BODY_IDLE);
    assertThat(deadlines.check(now + 100 * S, TIMEOUTS)).isEqualTo(Expired.NONE);
  }

  @Test
  void a_body_not_awaited_never_expires() {
    deadlines.bodyReadAt(now);
    deadlines.bodyNotAwaited();
    assertThat(deadlines.check(now + 100 * S, TIMEOUTS)).isEqualTo(Expired.NONE);
  }

  @Test
  void a_silent_upstream_expires_at_the_response_timeout() {
    deadlines.upstreamAwaitedSince(now);
    assertThat(deadlines.check(now + 5 * S - 1, TIMEOUTS)).isEqualTo(Expired.NONE);
    assertThat(deadlines.check(now + 5 * S, TIMEOUTS)).isEqualTo(Expired.UPSTREAM_IDLE);
  }

  @Test
  void a_flowing_response_keeps_an_open_request_body_alive() {
    long start = now;
    deadlines.bodyReadAt(start);
    deadlines.upstreamAwaitedSince(start);
    for (int i = 1; i <= 20; i++) {
      now = start + i * 4 * S;
      deadlines.responseFlowedAt(now);
      assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.NONE);
    }
  }

  @Test
  void a_flowing_response_does_not_arm_a_body_clock_that_was_off() {
    deadlines.responseFlowedAt(now);
    deadlines.upstreamNotAwaited();
    assertThat(deadlines.check(now + 100 * S, TIMEOUTS)).isEqualTo(Expired.NONE);
  }

  @Test
  void a_client_that_reads_nothing_is_cut_at_the_body_idle_limit_not_the_response_timeout() {
    deadlines.upstreamAwaitedSince(now);
    deadlines.sendStalledAt(now);
    assertThat(deadlines.check(now + 10 * S - 1, TIMEOUTS)).isEqualTo(Expired.NONE);
    assertThat(deadlines.check(now + 10 * S, TIMEOUTS)).isEqualTo(Expired.SEND_STALLED);
  }

  @Test
  void a_client_that_reads_again_hands_the_clock_back_to_the_upstream() {
    long start = now;
    deadlines.sendStalledAt(start);
    deadlines.sendDrainedAt(start + 9 * S);
    assertThat(deadlines.check(start + 13 * S, TIMEOUTS)).isEqualTo(Expired.NONE);
    assertThat(deadlines.check(start + 14 * S, TIMEOUTS)).isEqualTo(Expired.UPSTREAM_IDLE);
  }

  @Test
  void a_local_answer_stops_both_idle_clocks() {
    deadlines.bodyReadAt(now);
    deadlines.upstreamAwaitedSince(now);
    deadlines.idleClocksOff();
    assertThat(deadlines.check(now + 100 * S, TIMEOUTS)).isEqualTo(Expired.NONE);
  }

  @Test
  void deadlines_fire_one_per_check_request_first() {
    long start = now;
    deadlines.armRequest(start, 30 * S, false, -1);
    deadlines.bodyReadAt(start);
    deadlines.upstreamAwaitedSince(start);
    now = start + 60 * S;
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.REQUEST);
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.BODY_IDLE);
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.UPSTREAM_IDLE);
    assertThat(deadlines.check(now, TIMEOUTS)).isEqualTo(Expired.NONE);
  }
}
