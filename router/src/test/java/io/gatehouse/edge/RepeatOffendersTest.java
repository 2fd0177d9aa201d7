package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leaky bucket of cuts per address, and the pacing of a paced address's new connections. */
class RepeatOffendersTest {
  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final String A = "192.0.2.1";

  private final RepeatOffenders ledger = new RepeatOffenders(S, 200 * MS, TrustedProxies.none());

  private void cuts(String address, int n, long now) {
    for (int i = 0; i < n; i++) {
      ledger.cut(address, now);
    }
  }

  @Test
  void a_burst_of_cuts_up_to_the_threshold_paces_nothing() {
    cuts(A, RepeatOffenders.THRESHOLD, 0);
    assertThat(ledger.paced(A, 0)).isFalse();
    assertThat(ledger.delayNanos(A, 0)).isZero();
    ledger.cut(A, 0);
    assertThat(ledger.paced(A, 0)).isTrue();
  }

  @Test
  void one_cut_a_second_kept_up_never_paces_two_a_second_do() {
    for (int i = 0; i < 300; i++) {
      ledger.cut(A, i * S);
    }
    assertThat(ledger.paced(A, 300 * S)).isFalse();
    long t = 1_000 * S;
    int secondsToPace = -1;
    for (int i = 0; i < 100 && secondsToPace < 0; i++) {
      ledger.cut(A, t + i * S);
      ledger.cut(A, t + i * S + S / 2);
      if (ledger.paced(A, t + i * S + S / 2)) {
        secondsToPace = i;
      }
    }
    assertThat(secondsToPace).as("seconds of two cuts a second before pacing").isBetween(15, 25);
  }

  @Test
  void a_paced_address_gets_one_connection_in_per_interval_in_order() {
    cuts(A, 25, 0);
    long now = 5 * MS;
    assertThat(ledger.delayNanos(A, now)).as("the first goes in at once").isZero();
    assertThat(ledger.delayNanos(A, now)).isEqualTo(200 * MS);
    assertThat(ledger.delayNanos(A, now)).isEqualTo(400 * MS);
    assertThat(ledger.delayNanos(A, now + 100 * MS)).isEqualTo(500 * MS);
    assertThat(ledger.delayNanos("192.0.2.2", now)).as("another address").isZero();
  }

  @Test
  void past_the_waiting_bound_a_new_connection_is_refused_until_one_leaves() {
    cuts(A, 25, 0);
    ledger.delayNanos(A, 0); // in at once
    for (int i = 0; i < RepeatOffenders.MAX_WAITING; i++) {
      assertThat(ledger.delayNanos(A, 0)).isPositive();
    }
    assertThat(ledger.delayNanos(A, 0)).isEqualTo(-1);
    ledger.left(A);
    assertThat(ledger.delayNanos(A, 0)).isPositive();
  }

  @Test
  void pacing_ends_at_most_cap_minus_threshold_seconds_after_the_last_cut() {
    cuts(A, 1_000, 0);
    long end = (RepeatOffenders.CAP - RepeatOffenders.THRESHOLD) * S;
    assertThat(ledger.paced(A, end - MS)).isTrue();
    assertThat(ledger.paced(A, end)).isFalse();
    assertThat(ledger.delayNanos(A, end)).isZero();
  }

  @Test
  void only_enhance_your_calm_counts_as_a_cut() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ledger.track(ch, A);
    for (Http2Error e :
        List.of(
            Http2Error.PROTOCOL_ERROR,
            Http2Error.STREAM_CLOSED,
            Http2Error.FLOW_CONTROL_ERROR,
            Http2Error.FRAME_SIZE_ERROR,
            Http2Error.NO_ERROR)) {
      for (int i = 0; i < 30; i++) {
        RepeatOffenders.goAwaySent(ch, e.code());
      }
    }
    assertThat(ledger.paced(A, System.nanoTime())).as("after 150 protocol-level cuts").isFalse();
    for (int i = 0; i < 21; i++) {
      RepeatOffenders.goAwaySent(ch, Http2Error.ENHANCE_YOUR_CALM.code());
    }
    assertThat(ledger.paced(A, System.nanoTime())).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void trusted_proxies_and_a_rate_of_0_are_never_paced() {
    RepeatOffenders behindProxies =
        new RepeatOffenders(5, TrustedProxies.parse(List.of("10.0.0.0/8")));
    assertThat(behindProxies.tracks("10.1.2.3")).isFalse();
    assertThat(behindProxies.tracks(A)).isTrue();
    assertThat(new RepeatOffenders(0, TrustedProxies.none()).tracks(A)).isFalse();
  }

  @Test
  void addresses_tracked_are_bounded_and_drained_ones_make_room() {
    for (int i = 0; i < RepeatOffenders.MAX_ADDRESSES; i++) {
      ledger.cut("10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff), 0);
    }
    assertThat(ledger.tracked()).isEqualTo(RepeatOffenders.MAX_ADDRESSES);
    cuts("198.51.100.7", 25, 0);
    assertThat(ledger.paced("198.51.100.7", 0)).as("no room: not tracked").isFalse();
    cuts("198.51.100.7", 25, 2 * S);
    assertThat(ledger.tracked()).as("drained ones dropped").isEqualTo(1);
    assertThat(ledger.paced("198.51.100.7", 2 * S)).isTrue();
  }
}
