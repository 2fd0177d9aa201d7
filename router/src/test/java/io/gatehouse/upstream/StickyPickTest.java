package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.StickyCookies;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.TableView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sticky split: the cookie's backend is taken while it is in the split at a weight above 0 and
 * has endpoints, without a turn of the rotation; anything else (no cookie, a forged value, a value
 * of another route or key, a backend at weight 0 or without endpoints) takes the weighted pick.
 */
@Timeout(30)
class StickyPickTest {
  private static final BackendSpec A = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));
  private static final BackendSpec B = BackendSpec.http1(List.of(Endpoint.of("10.0.0.2", 80)));
  private static final BackendSpec C = BackendSpec.http1(List.of(Endpoint.of("10.0.0.3", 80)));
  private static final BackendSpec EMPTY = BackendSpec.http1(List.of());
  private static final RouteKey KEY = RouteKey.of("t1", "api", "sticky");
  private static final RouteKey OTHER = RouteKey.of("t1", "api", "other");
  private static final SessionPersistence STICKY =
      new SessionPersistence("gh", Duration.ofHours(1), null, null, "Lax");

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final SplitPicker picker = new SplitPicker(new SplittableRandom(7));
  private final Balancers balancers = new Balancers();
  private long generation;

  private CompiledRoute compile(RouteKey key, RouteBackend... backends) {
    RouteSpec spec =
        RouteSpec.simple(key, List.of("a.test"), List.of(PathMatch.prefix("/")), A)
            .withBackends(List.of(backends))
            .withPolicies(List.of(STICKY));
    CompiledRoute r = compiler.update(new TableView(++generation, Map.of(key, spec))).route(key);
    compiler.afterPublish();
    return r;
  }

  private CompiledRoute compile(RouteBackend... backends) {
    return compile(KEY, backends);
  }

  /** The target a request with {@code cookie} (a Cookie field, or null) goes to. */
  private int pick(CompiledRoute r, String cookie) {
    StickyCookies sticky = r.split().sticky();
    int pinned = sticky.find(cookie == null ? List.of() : List.of(cookie));
    Target t = picker.pick(r, balancers, compiler.endpoints(), CanaryMatcher.FALL_THROUGH, pinned);
    return t == null ? -1 : r.targets().indexOf(t);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a valid cookie pins its backend", split(50, 50), 1, null, 1, false),
        Arguments.of(
            "a valid cookie pins even the backend with the smaller share",
            split(99, 1),
            1,
            null,
            1,
            false),
        Arguments.of(
            "a forged value is not honoured",
            split(0, 100),
            -1,
            "gh=AAAAAAAAAAAAAAAAAAAAAA",
            1,
            true),
        Arguments.of(
            "a backend name as the value is not honoured",
            split(0, 100),
            -1,
            "gh=10.0.0.1:80",
            1,
            true),
        Arguments.of("a backend at weight 0 is not honoured", split(0, 100), 0, null, 1, true),
        Arguments.of("another cookie name is not read", split(0, 100), -2, null, 1, true));
  }

  private static RouteBackend[] split(int a, int b) {
    return new RouteBackend[] {new RouteBackend(A, a), new RouteBackend(B, b)};
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void a_cookie_is_honoured_only_for_a_usable_backend_of_the_route(
      String name,
      RouteBackend[] backends,
      int cookieFor,
      String raw,
      int expected,
      boolean reset) {
    CompiledRoute r = compile(backends);
    StickyCookies sticky = r.split().sticky();
    String cookie =
        cookieFor >= 0
            ? "theme=dark; gh=" + sticky.value(cookieFor)
            : cookieFor == -2 ? "GHX=" + sticky.value(1) : raw;
    for (int i = 0; i < 50; i++) {
      assertThat(pick(r, cookie)).as(name).isEqualTo(expected);
    }
    int pinned = sticky.find(List.of(cookie));
    assertThat(pinned < 0 || r.split().weight(pinned) == 0)
        .as("the answer replaces the cookie")
        .isEqualTo(reset);
  }

  @Test
  void a_backend_without_endpoints_is_not_honoured() {
    CompiledRoute r = compile(new RouteBackend(EMPTY, 50), new RouteBackend(B, 50));
    String cookie = "gh=" + r.split().sticky().value(0);
    for (int i = 0; i < 20; i++) {
      assertThat(pick(r, cookie)).isEqualTo(1);
      assertThat(picker.pickedIndex()).isEqualTo(1);
    }
  }

  @Test
  void a_stale_backend_removed_from_the_split_is_not_honoured() {
    CompiledRoute before =
        compile(new RouteBackend(A, 50), new RouteBackend(B, 50), new RouteBackend(C, 50));
    String third = "gh=" + before.split().sticky().value(2);
    CompiledRoute after = compile(new RouteBackend(A, 0), new RouteBackend(B, 50));
    assertThat(after.split().sticky().find(List.of(third))).isEqualTo(-1);
    assertThat(pick(after, third)).isEqualTo(1);
  }

  @Test
  void a_value_of_another_route_is_not_honoured() {
    CompiledRoute other = compile(OTHER, new RouteBackend(A, 50), new RouteBackend(B, 50));
    String foreign = "gh=" + other.split().sticky().value(1);
    CompiledRoute r = compile(new RouteBackend(A, 50), new RouteBackend(B, 50));
    assertThat(r.split().sticky().value(1)).isNotEqualTo(other.split().sticky().value(1));
    assertThat(r.split().sticky().find(List.of(foreign))).isEqualTo(-1);
  }

  @Test
  void a_value_made_under_another_key_is_not_honoured() {
    CompiledRoute r = compile(new RouteBackend(A, 50), new RouteBackend(B, 50));
    SnapshotCompiler otherNode = new SnapshotCompiler();
    RouteSpec spec = r.spec();
    CompiledRoute there = otherNode.update(new TableView(1, Map.of(KEY, spec))).route(KEY);
    assertThat(r.split().sticky().find(List.of("gh=" + there.split().sticky().value(0))))
        .isEqualTo(-1);
  }

  @Test
  void nodes_with_the_same_key_make_the_same_values() {
    byte[] key = SnapshotCompiler.randomStickyKey();
    RouteSpec spec =
        RouteSpec.simple(KEY, List.of("a.test"), List.of(PathMatch.prefix("/")), A)
            .withBackends(List.of(new RouteBackend(A, 50), new RouteBackend(B, 50)))
            .withPolicies(List.of(STICKY));
    CompiledRoute one =
        new SnapshotCompiler(new EndpointIndex(), key)
            .update(new TableView(1, Map.of(KEY, spec)))
            .route(KEY);
    CompiledRoute two =
        new SnapshotCompiler(new EndpointIndex(), key)
            .update(new TableView(7, Map.of(KEY, spec)))
            .route(KEY);
    assertThat(two.split().sticky().value(1)).isEqualTo(one.split().sticky().value(1));
  }

  @Test
  void values_are_opaque_and_set_cookie_carries_the_settings() {
    CompiledRoute r = compile(new RouteBackend(A, 50), new RouteBackend(B, 50));
    StickyCookies sticky = r.split().sticky();
    assertThat(sticky.value(0)).matches("[A-Za-z0-9_-]{22}").doesNotContain("10.0.0");
    assertThat(sticky.value(0)).isNotEqualTo(sticky.value(1));
    assertThat(sticky.setCookie(1, false))
        .isEqualTo("gh=" + sticky.value(1) + "; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
    assertThat(sticky.setCookie(1, true))
        .isEqualTo(
            "gh=" + sticky.value(1) + "; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
    assertThat(sticky.toString()).doesNotContain(sticky.value(0));
  }

  @Test
  void pinned_requests_do_not_shift_the_shares_of_the_others() {
    CompiledRoute r = compile(new RouteBackend(A, 90), new RouteBackend(B, 10));
    String toB = "gh=" + r.split().sticky().value(1);
    int[] free = new int[2];
    for (int i = 0; i < 20_000; i++) {
      assertThat(pick(r, toB)).isEqualTo(1);
      free[pick(r, null)]++;
    }
    assertThat(free).containsExactly(18_000, 2_000);
  }

  @Test
  void a_canary_verdict_comes_before_the_cookie() {
    CanaryRule rule = CanaryRule.byHeader("x-canary");
    CompiledRoute r = compile(new RouteBackend(A, 50), new RouteBackend(B, 50, rule));
    int pinnedToA = r.split().sticky().find(List.of("gh=" + r.split().sticky().value(0)));
    Target t = picker.pick(r, balancers, compiler.endpoints(), CanaryMatcher.CANARY, pinnedToA);
    assertThat(r.targets().indexOf(t)).isEqualTo(1);
    Target away = picker.pick(r, balancers, compiler.endpoints(), CanaryMatcher.AWAY, 1);
    assertThat(r.targets().indexOf(away)).isEqualTo(0);
  }

  @Test
  void the_setting_is_part_of_the_split_so_a_changed_one_is_a_new_split() {
    CompiledRoute first = compile(new RouteBackend(A, 50), new RouteBackend(B, 50));
    assertThat(compile(new RouteBackend(A, 50), new RouteBackend(B, 50)).split())
        .isSameAs(first.split());
    RouteSpec plain = first.spec().withPolicies(List.of());
    CompiledRoute without =
        compiler.update(new TableView(++generation, Map.of(KEY, plain))).route(KEY);
    assertThat(without.split().sticky()).isNull();
    assertThat(without.split()).isNotSameAs(first.split());
  }

  @Test
  void a_route_with_one_backend_has_no_split_and_sets_no_cookie() {
    CompiledRoute r = compile(new RouteBackend(A, 1));
    assertThat(r.split()).isNull();
  }
}
