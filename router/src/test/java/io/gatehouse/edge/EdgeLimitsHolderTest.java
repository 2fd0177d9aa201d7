package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The checks that read the node's replaceable limits apply a reload from their next use on. */
class EdgeLimitsHolderTest {
  static EdgeLimits caps(int total, int perClient) {
    EdgeLimits d = EdgeLimits.DEFAULTS;
    return new EdgeLimits(
        d.maxHeaderBytes(),
        d.maxHeaderLineBytes(),
        d.maxHeaderCount(),
        d.maxRequestLineBytes(),
        d.headerReadTimeout(),
        d.keepAliveIdleTimeout(),
        total,
        perClient,
        d.underscoreHeaders(),
        d.overloadHeapRatio(),
        d.overloadLoopLag(),
        d.writeQueueBytes(),
        d.pacedConnectionsPerSecond());
  }

  @Test
  void a_lowered_per_client_cap_refuses_the_next_connection_and_keeps_those_open() {
    EdgeLimitsHolder limits = new EdgeLimitsHolder(caps(10, 3));
    ConnectionLimiter l = new ConnectionLimiter(limits);
    assertThat(l.tryAcquire("a")).isTrue();
    assertThat(l.tryAcquire("a")).isTrue();
    limits.replace(caps(10, 1));
    assertThat(l.tryAcquire("a")).as("past the new cap").isFalse();
    assertThat(l.tryAcquire("b")).as("another client's first").isTrue();
    l.release("a");
    assertThat(l.tryAcquire("a")).as("still one open").isFalse();
    l.release("a");
    assertThat(l.tryAcquire("a")).isTrue();
    limits.replace(caps(2, 5));
    assertThat(l.tryAcquire("c")).as("node cap: a and b hold both").isFalse();
  }

  @Test
  void a_lowered_loop_lag_counts_the_next_probes_as_late() {
    EdgeLimitsHolder limits =
        new EdgeLimitsHolder(EdgeLimits.DEFAULTS.withOverload(1.0, Duration.ofSeconds(1)));
    OverloadGuard g = new OverloadGuard(limits);
    OverloadGuard.LoopProbe p = g.newLoopProbe();
    long late = Duration.ofMillis(300).toNanos();
    for (int i = 0; i < OverloadGuard.SUSTAINED_PROBES; i++) {
      assertThat(p.record(late)).isFalse();
    }
    assertThat(g.shedding()).isFalse();
    limits.replace(EdgeLimits.DEFAULTS.withOverload(1.0, Duration.ofMillis(100)));
    for (int i = 0; i < OverloadGuard.SUSTAINED_PROBES; i++) {
      p.record(late);
    }
    assertThat(g.shedding()).isTrue();
  }

  @Test
  void pacing_turned_off_by_a_reload_tracks_no_address() {
    EdgeLimitsHolder limits = new EdgeLimitsHolder(EdgeLimits.DEFAULTS);
    RepeatOffenders r = new RepeatOffenders(limits, TrustedProxies.none());
    assertThat(r.tracks("192.0.2.1")).isTrue();
    limits.replace(paced(0));
    assertThat(r.tracks("192.0.2.1")).isFalse();
  }

  EdgeLimits paced(int perSecond) {
    EdgeLimits d = EdgeLimits.DEFAULTS;
    return new EdgeLimits(
        d.maxHeaderBytes(),
        d.maxHeaderLineBytes(),
        d.maxHeaderCount(),
        d.maxRequestLineBytes(),
        d.headerReadTimeout(),
        d.keepAliveIdleTimeout(),
        d.maxConnections(),
        d.maxConnectionsPerClient(),
        d.underscoreHeaders(),
        d.overloadHeapRatio(),
        d.overloadLoopLag(),
        d.writeQueueBytes(),
        perSecond);
  }
}
