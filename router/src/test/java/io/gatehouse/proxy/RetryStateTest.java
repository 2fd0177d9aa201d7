package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.policy.Retry;
import io.gatehouse.policy.RetryRule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A request's retry state: the body kept for a replay, the deadline, the failure's kind. */
@Timeout(10)
class RetryStateTest {
  private static RetryRule rule(long bufferBytes, Duration timeout) {
    return new RetryRule(
        new Retry(
            Set.of(Retry.Condition.RESET),
            List.of(),
            List.of(),
            2,
            null,
            timeout,
            Duration.ofMillis(25),
            Duration.ofMillis(250),
            20,
            3,
            false,
            bufferBytes));
  }

  @Test
  void a_body_within_the_limit_is_kept_whole_for_a_replay() {
    RetryState r = new RetryState(rule(10, null), 0, -1);
    r.body(Buffer.buffer("hello"));
    r.body(Buffer.buffer("world"));
    assertThat(r.replayBody()).as("not ended yet").isNull();
    assertThat(r.bodyReplayable(true, true)).isFalse();
    r.bodyEnded();
    assertThat(r.replayBody()).hasToString("helloworld");
    assertThat(r.bodyReplayable(true, true)).isTrue();
  }

  @Test
  void a_body_that_streams_past_the_limit_is_never_replayed() {
    RetryState r = new RetryState(rule(10, null), 0, -1);
    r.body(Buffer.buffer("hello"));
    r.body(Buffer.buffer("world!"));
    r.bodyEnded();
    assertThat(r.replayBody()).isNull();
    assertThat(r.bodyReplayable(true, true)).isFalse();
  }

  @Test
  void a_declared_length_past_the_limit_is_never_kept() {
    RetryState r = new RetryState(rule(10, null), 0, 11);
    r.body(Buffer.buffer("abc"));
    r.bodyEnded();
    assertThat(r.bodyReplayable(true, true)).isFalse();
  }

  @Test
  void a_request_without_a_body_or_whose_body_is_unread_can_always_go_again() {
    RetryState r = new RetryState(rule(0, null), 0, 1_000_000);
    assertThat(r.bodyReplayable(false, true)).isTrue();
    assertThat(r.bodyReplayable(true, false)).isTrue();
  }

  @Test
  void no_retry_starts_past_the_deadline_of_all_attempts() {
    RetryState r = new RetryState(rule(10, Duration.ofMillis(100)), 0, -1);
    assertThat(r.anotherAllowed(50_000_000L, 10_000_000L)).isTrue();
    assertThat(r.anotherAllowed(50_000_000L, 60_000_000L)).as("the wait passes it").isFalse();
    assertThat(r.expired(99_999_999L)).isFalse();
    assertThat(r.expired(100_000_000L)).isTrue();
    r.retries = 2;
    assertThat(r.anotherAllowed(0, 0)).as("attempts used up").isFalse();
  }

  @Test
  void failures_are_classified_by_kind() {
    assertThat(RetryState.classify(new StreamResetException(RetryState.REFUSED_STREAM)))
        .isEqualTo(RetryRule.Failure.REFUSED_STREAM);
    assertThat(RetryState.classify(new StreamResetException(8))).isEqualTo(RetryRule.Failure.RESET);
    assertThat(RetryState.classify(new TimeoutException("t"))).isEqualTo(RetryRule.Failure.TIMEOUT);
    assertThat(RetryState.classify(new IOException("Connection reset by peer")))
        .isEqualTo(RetryRule.Failure.RESET);
  }
}
