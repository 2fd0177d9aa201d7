package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.Split;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.TableView;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A split with a canary rule: the rule's verdict is taken before the weighted pick, and neither
 * verdict moves the weighted rotation, so the requests that fall through get exact shares.
 */
@Timeout(30)
class CanaryPickTest {
  private static final BackendSpec A = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));
  private static final BackendSpec B = BackendSpec.http1(List.of(Endpoint.of("10.0.0.2", 80)));
  private static final BackendSpec C = BackendSpec.http1(List.of(Endpoint.of("10.0.0.3", 80)));
  private static final BackendSpec EMPTY = BackendSpec.http1(List.of());
  private static final RouteKey KEY = RouteKey.of("t1", "api", "canary");
  private static final CanaryRule RULE = new CanaryRule("x-canary", null, null, "canary");

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final SplitPicker picker = new SplitPicker(new SplittableRandom(7));
  private final Balancers balancers = new Balancers();
  private long generation;

  private CompiledRoute compile(RouteBackend... backends) {
    RouteSpec spec =
        RouteSpec.simple(KEY, List.of("a.test"), List.of(PathMatch.prefix("/")), A)
            .withBackends(List.of(backends));
    CompiledRoute r = compiler.update(new TableView(++generation, Map.of(KEY, spec))).route(KEY);
    compiler.afterPublish();
    return r;
  }

  private int pick(CompiledRoute r, int choice) {
    Target t = picker.pick(r, balancers, compiler.endpoints(), choice);
    return t == null ? -1 : r.targets().indexOf(t);
  }

  @Test
  void requests_left_to_the_weights_get_exact_shares_between_forced_ones() {
    CompiledRoute r = compile(new RouteBackend(A, 90), new RouteBackend(B, 10, RULE));
    int[] fallThrough = new int[2];
    int[] forced = new int[2];
    int[] away = new int[2];
    for (int i = 0; i < 30_000; i++) {
      // every third request is sent to the canary, every third away, the rest are left alone
      switch (i % 3) {
        case 0 -> fallThrough[pick(r, CanaryMatcher.FALL_THROUGH)]++;
        case 1 -> forced[pick(r, CanaryMatcher.CANARY)]++;
        default -> away[pick(r, CanaryMatcher.AWAY)]++;
      }
    }
    assertThat(fallThrough).containsExactly(9_000, 1_000);
    assertThat(forced).containsExactly(0, 10_000);
    assertThat(away).containsExactly(10_000, 0);
  }

  @Test
  void a_canary_at_weight_0_gets_only_the_requests_its_rule_sends() {
    CompiledRoute r = compile(new RouteBackend(A, 100), new RouteBackend(B, 0, RULE));
    for (int i = 0; i < 100; i++) {
      assertThat(pick(r, CanaryMatcher.FALL_THROUGH)).isEqualTo(0);
      assertThat(pick(r, CanaryMatcher.CANARY)).isEqualTo(1);
    }
  }

  @Test
  void a_canary_without_endpoints_sends_its_requests_to_the_others_as_ingress_nginx() {
    CompiledRoute r = compile(new RouteBackend(A, 90), new RouteBackend(EMPTY, 10, RULE));
    for (int i = 0; i < 100; i++) {
      assertThat(pick(r, CanaryMatcher.CANARY)).isEqualTo(0);
      assertThat(pick(r, CanaryMatcher.FALL_THROUGH)).isEqualTo(0);
    }
  }

  @Test
  void requests_sent_away_split_over_the_other_backends_by_their_weights() {
    CompiledRoute r =
        compile(new RouteBackend(A, 50), new RouteBackend(B, 30), new RouteBackend(C, 20, RULE));
    int[] away = new int[3];
    int[] fallThrough = new int[3];
    for (int i = 0; i < 16_000; i++) {
      away[pick(r, CanaryMatcher.AWAY)]++;
      fallThrough[pick(r, CanaryMatcher.FALL_THROUGH)]++;
    }
    assertThat(away).containsExactly(10_000, 6_000, 0);
    assertThat(fallThrough).containsExactly(8_000, 4_800, 3_200);
  }

  @Test
  void never_reaches_the_primary_even_when_the_canary_has_the_whole_weight() {
    CompiledRoute r = compile(new RouteBackend(A, 0), new RouteBackend(B, 100, RULE));
    for (int i = 0; i < 100; i++) {
      assertThat(pick(r, CanaryMatcher.AWAY)).isEqualTo(0);
      assertThat(pick(r, CanaryMatcher.FALL_THROUGH)).isEqualTo(1);
    }
    CompiledRoute noPrimary = compile(new RouteBackend(EMPTY, 0), new RouteBackend(B, 100, RULE));
    assertThat(pick(noPrimary, CanaryMatcher.AWAY)).as("no other endpoints: 503").isEqualTo(-1);
  }

  @Test
  void the_rule_is_part_of_the_split_so_a_changed_rule_is_a_new_one() {
    Split first = compile(new RouteBackend(A, 90), new RouteBackend(B, 10, RULE)).split();
    assertThat(compile(new RouteBackend(A, 90), new RouteBackend(B, 10, RULE)).split())
        .isSameAs(first);
    Split changed =
        compile(new RouteBackend(A, 90), new RouteBackend(B, 10, CanaryRule.byCookie("c"))).split();
    assertThat(changed).isNotSameAs(first);
    assertThat(changed.canary().cookie()).isEqualTo("c");
    Split without = compile(new RouteBackend(A, 90), new RouteBackend(B, 10)).split();
    assertThat(without.canary()).isNull();
    assertThat(without.canaryIndex()).isEqualTo(-1);
  }
}
