package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.LoadBalancing.Algorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The load-balancing policies of issue #14, each with a seeded random and a fake clock: shares by
 * weight, least request and a stalled endpoint, peak EWMA and a slow endpoint, consistent hashing
 * when an endpoint goes, Maglev's evenness, slow start, the panic threshold, the cost of the
 * availability check, and cookie affinity.
 */
@Timeout(30)
class LoadBalancingTest {
  private static final EndpointsKey KEY = new EndpointsKey.Service("ns", "svc", 80, null);

  /** A clock the test moves. */
  static final class FakeClock {
    long now = TimeUnit.HOURS.toNanos(1);

    long get() {
      return now;
    }
  }

  /** An availability the test changes, counting how often it is asked about an endpoint. */
  static final class FakeAvailability implements Availability {
    volatile long version = 1;
    final Set<String> down = new HashSet<>();
    int asked;

    @Override
    public long version() {
      return version;
    }

    @Override
    public boolean available(Endpoint endpoint) {
      asked++;
      return !down.contains(endpoint.host());
    }

    void down(String... hosts) {
      down.addAll(List.of(hosts));
      version++;
    }
  }

  /** A request with the given header, cookie fields and client address. */
  record Req(Map<String, String> headers, List<String> cookies, String client)
      implements PickRequest {
    static Req header(String name, String value) {
      return new Req(Map.of(name, value), List.of(), "192.0.2.1");
    }

    static Req cookie(@Nullable String field) {
      return new Req(Map.of(), field == null ? List.of() : List.of(field), "192.0.2.1");
    }

    @Override
    public @Nullable String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public @Nullable String queryParam(String name) {
      return null;
    }

    @Override
    public List<String> cookieFields() {
      return cookies;
    }

    @Override
    public String clientAddress() {
      return client;
    }
  }

  private static final Req NOTHING = new Req(Map.of(), List.of(), "192.0.2.1");

  private final FakeClock clock = new FakeClock();
  private final FakeAvailability availability = new FakeAvailability();

  private Balancers balancers(long seed) {
    return new Balancers(
        new BalancerOptions(availability, AffinityCookies.withKey(new byte[32])),
        new SplittableRandom(seed)::nextLong,
        clock::get);
  }

  private static List<Endpoint> endpoints(int... weights) {
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      out.add(new Endpoint("10.0.0." + i, 8080, weights[i]));
    }
    return out;
  }

  private static EndpointSet set(List<Endpoint> endpoints, long revision) {
    return new EndpointSet(KEY, endpoints, revision);
  }

  private static int index(EndpointLoad l) {
    return Integer.parseInt(l.endpoint().host().substring("10.0.0.".length()));
  }

  /** {@code n} picks, each finished before the next (an idle backend); counts per endpoint. */
  private static int[] sequential(Balancer b, int n, int endpoints, PickRequest r) {
    int[] counts = new int[endpoints];
    for (int k = 0; k < n; k++) {
      EndpointLoad l = b.pick(r);
      long since = b.started(l);
      b.responded(l, since);
      b.finished(l);
      counts[index(l)]++;
    }
    return counts;
  }

  // ---------------------------------------------------------------- distribution by weight

  static Stream<Arguments> weighted() {
    return Stream.of(
        Arguments.of(Algorithm.ROUND_ROBIN, 0.0),
        Arguments.of(Algorithm.LEAST_REQUEST, 0.015),
        Arguments.of(Algorithm.POWER_OF_TWO, 0.015));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weighted")
  void an_idle_backend_is_spread_by_weight(Algorithm algorithm, double tolerance) {
    int[] weights = {1, 2, 3, 4};
    Balancer b =
        balancers(7).forSlot(0, KEY, LoadBalancing.of(algorithm), set(endpoints(weights), 1));
    int[] counts = sequential(b, 20_000, 4, NOTHING);
    for (int i = 0; i < 4; i++) {
      assertThat(counts[i] / 20_000.0)
          .as("%s share of e%d", algorithm, i)
          .isBetween(weights[i] / 10.0 - tolerance, weights[i] / 10.0 + tolerance);
    }
  }

  // ---------------------------------------------------------------- least request

  @ParameterizedTest(name = "{0} in flight")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 5, 100})
  void least_request_sends_nothing_new_to_a_stalled_endpoint(int stalled) {
    Balancer b =
        balancers(3)
            .forSlot(
                0, KEY, LoadBalancing.of(Algorithm.LEAST_REQUEST), set(endpoints(1, 1, 1, 1), 1));
    EndpointLoad slow = b.loadOf(new Endpoint("10.0.0.2", 8080, 1));
    for (int k = 0; k < stalled; k++) {
      b.started(slow);
    }
    int[] counts = sequential(b, 3_000, 4, NOTHING);
    assertThat(counts[2]).as("picks of the stalled endpoint").isZero();
    assertThat(counts[0] + counts[1] + counts[3]).isEqualTo(3_000);
    assertThat(counts[0]).isBetween(900, 1100); // the idle ones share at random
    assertThat(slow.inFlight()).isEqualTo(stalled);
  }

  @Test
  void least_request_weighs_requests_in_flight_by_the_endpoints_weights() {
    Balancer b =
        balancers(3)
            .forSlot(0, KEY, LoadBalancing.of(Algorithm.LEAST_REQUEST), set(endpoints(4, 1), 1));
    EndpointLoad heavy = b.loadOf(new Endpoint("10.0.0.0", 8080, 4));
    EndpointLoad light = b.loadOf(new Endpoint("10.0.0.1", 8080, 1));
    // Concurrent load, never finished: the heavy endpoint takes 4 for each of the light one's.
    for (int k = 0; k < 500; k++) {
      b.started(b.pick(NOTHING));
    }
    assertThat(heavy.inFlight()).isBetween(399, 401);
    assertThat(light.inFlight()).isBetween(99, 101);
  }

  @Test
  void power_of_two_never_picks_the_busier_of_its_two_draws() {
    Balancer b =
        balancers(5)
            .forSlot(0, KEY, LoadBalancing.of(Algorithm.POWER_OF_TWO), set(endpoints(1, 1), 1));
    EndpointLoad busy = b.loadOf(new Endpoint("10.0.0.0", 8080, 1));
    b.started(busy);
    int[] counts = sequential(b, 1000, 2, NOTHING);
    assertThat(counts[0]).isZero(); // two endpoints: both are drawn every time
  }

  // ---------------------------------------------------------------- peak EWMA

  @Test
  void peak_ewma_prefers_the_fast_endpoint() {
    Balancer b =
        balancers(11)
            .forSlot(0, KEY, LoadBalancing.of(Algorithm.PEAK_EWMA), set(endpoints(1, 1, 1), 1));
    long[] latency = {
      TimeUnit.MILLISECONDS.toNanos(50),
      TimeUnit.MILLISECONDS.toNanos(1),
      TimeUnit.MILLISECONDS.toNanos(20)
    };
    int[] counts = new int[3];
    for (int k = 0; k < 5_000; k++) {
      EndpointLoad l = b.pick(NOTHING);
      long since = b.started(l);
      clock.now += latency[index(l)];
      b.responded(l, since);
      b.finished(l);
      counts[index(l)]++;
    }
    // Two of three are drawn: the fast one is in the draw 2/3 of the time, and then wins.
    assertThat(counts[1]).as("picks of the 1 ms endpoint").isGreaterThan(3_200);
    assertThat(counts[0]).as("picks of the 50 ms endpoint").isLessThan(counts[2] / 4);
  }

  @Test
  void peak_ewma_probes_an_endpoint_without_latency_with_one_request_at_a_time() {
    Balancer b =
        balancers(11)
            .forSlot(0, KEY, LoadBalancing.of(Algorithm.PEAK_EWMA), set(endpoints(1, 1), 1));
    EndpointLoad a = b.loadOf(new Endpoint("10.0.0.0", 8080, 1));
    EndpointLoad c = b.loadOf(new Endpoint("10.0.0.1", 8080, 1));
    long since = b.started(a);
    clock.now += TimeUnit.MILLISECONDS.toNanos(5);
    b.responded(a, since);
    b.finished(a);
    // c has no latency yet: 0 cost with nothing in flight, then the penalty once it has one.
    assertThat(b.pick(NOTHING)).isSameAs(c);
    b.started(c);
    assertThat(b.pick(NOTHING)).isSameAs(a);
  }

  // ---------------------------------------------------------------- consistent hashing

  private static Map<String, Integer> owners(Balancer b, int keys) {
    Map<String, Integer> out = new HashMap<>();
    for (int k = 0; k < keys; k++) {
      String key = "user-" + k;
      out.put(key, index(b.pick(Req.header("x-user", key))));
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"RING_HASH", "MAGLEV"})
  void a_consistent_hash_keeps_its_keys_when_one_of_ten_endpoints_goes(Algorithm algorithm) {
    LoadBalancing lb = LoadBalancing.hash(algorithm, HashOn.header("X-User"));
    int[] ten = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    Balancers bs = balancers(1);
    Map<String, Integer> before = owners(bs.forSlot(0, KEY, lb, set(endpoints(ten), 1)), 20_000);
    List<Endpoint> nine = new ArrayList<>(endpoints(ten));
    nine.remove(3);
    Map<String, Integer> after = owners(bs.forSlot(0, KEY, lb, set(nine, 2)), 20_000);
    int onRemoved = 0;
    int stayed = 0;
    int kept = 0;
    for (String key : before.keySet()) {
      if (before.get(key) == 3) {
        onRemoved++;
      } else {
        stayed++;
        kept += before.get(key).equals(after.get(key)) ? 1 : 0;
      }
      assertThat(after.get(key)).isNotEqualTo(3);
    }
    double keptOfAll = (double) kept / before.size();
    double removedShare = (double) onRemoved / before.size();
    assertThat((double) kept / stayed)
        .as("%s: keys of the nine endpoints that stay where they were", algorithm)
        .isGreaterThanOrEqualTo(algorithm == Algorithm.RING_HASH ? 1.0 : 0.9);
    assertThat(keptOfAll)
        .as("%s: keys kept of all (the removed endpoint had %.3f)", algorithm, removedShare)
        .isGreaterThanOrEqualTo(0.9 - Math.max(0, removedShare - 0.1) - 0.02);
    assertThat(removedShare).isBetween(0.07, 0.13);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"RING_HASH", "MAGLEV"})
  void a_key_maps_to_the_same_endpoint_on_every_event_loop(Algorithm algorithm) {
    LoadBalancing lb = LoadBalancing.hash(algorithm, HashOn.header("x-user"));
    EndpointSet s = set(endpoints(1, 2, 1, 3, 1), 1);
    // Different seeds: each loop's balancer has its own rotation and random start.
    Map<String, Integer> first = owners(balancers(1).forSlot(0, KEY, lb, s), 2_000);
    for (long seed = 2; seed < 6; seed++) {
      EndpointSet copy = set(endpoints(1, 2, 1, 3, 1), seed);
      assertThat(owners(balancers(seed).forSlot(0, KEY, lb, copy), 2_000)).isEqualTo(first);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"RING_HASH", "MAGLEV"})
  void a_request_without_the_hash_key_takes_the_round_robin_pick(Algorithm algorithm) {
    LoadBalancing lb = LoadBalancing.hash(algorithm, HashOn.header("x-user"));
    Balancer b = balancers(1).forSlot(0, KEY, lb, set(endpoints(1, 1, 1), 1));
    assertThat(sequential(b, 300, 3, NOTHING)).containsExactly(100, 100, 100);
  }

  @Test
  void a_hash_on_the_source_address_pins_each_client() {
    LoadBalancing lb = LoadBalancing.hash(Algorithm.RING_HASH, HashOn.SOURCE_ADDRESS);
    Balancer b = balancers(1).forSlot(0, KEY, lb, set(endpoints(1, 1, 1, 1), 1));
    Set<Integer> seen = new HashSet<>();
    for (int c = 0; c < 50; c++) {
      Req r = new Req(Map.of(), List.of(), "198.51.100." + c);
      int first = index(b.pick(r));
      seen.add(first);
      for (int k = 0; k < 5; k++) {
        assertThat(index(b.pick(r))).isEqualTo(first);
      }
    }
    assertThat(seen).hasSize(4);
  }

  @Test
  void a_ring_walks_past_an_unavailable_owner_and_keeps_the_other_keys() {
    LoadBalancing lb = LoadBalancing.hash(Algorithm.RING_HASH, HashOn.header("x-user"));
    Balancer b = balancers(1).forSlot(0, KEY, lb, set(endpoints(1, 1, 1, 1, 1), 1));
    Map<String, Integer> before = owners(b, 2_000);
    availability.down("10.0.0.1");
    Map<String, Integer> after = owners(b, 2_000);
    for (String key : before.keySet()) {
      if (before.get(key) != 1) {
        assertThat(after.get(key)).as(key).isEqualTo(before.get(key));
      } else {
        assertThat(after.get(key)).as(key).isNotEqualTo(1);
      }
    }
  }

  @Test
  void maglev_gives_equal_endpoints_equal_slots_and_weighted_ones_their_weight() {
    long[] hashes = new long[10];
    int[] ones = new int[10];
    int[] owner = new int[10];
    for (int k = 0; k < 10; k++) {
      hashes[k] = KeyHash.of("10.0.0." + k + ":8080");
      ones[k] = 1;
      owner[k] = k;
    }
    MaglevTable even = MaglevTable.build(MaglevTable.DEFAULT_SIZE, hashes, ones, owner);
    int[] counts = slots(even, 10);
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int c : counts) {
      min = Math.min(min, c);
      max = Math.max(max, c);
    }
    assertThat(max - min)
        .as("slots per endpoint %s", java.util.Arrays.toString(counts))
        .isLessThanOrEqualTo(1);

    int[] weights = {1, 2, 3, 4, 1, 2, 3, 4, 1, 2};
    int[] weighted = slots(MaglevTable.build(MaglevTable.DEFAULT_SIZE, hashes, weights, owner), 10);
    for (int k = 0; k < 10; k++) {
      double expected = MaglevTable.DEFAULT_SIZE * weights[k] / 23.0;
      assertThat((double) weighted[k])
          .as("slots of weight %d", weights[k])
          .isBetween(expected - 2, expected + 2);
    }
  }

  private static int[] slots(MaglevTable t, int n) {
    int[] counts = new int[n];
    for (long s = 0; s < t.size(); s++) {
      counts[t.owner(s)]++;
    }
    return counts;
  }

  // ---------------------------------------------------------------- slow start

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"ROUND_ROBIN", "LEAST_REQUEST"})
  void a_new_endpoint_ramps_up_linearly_over_the_slow_start_window(Algorithm algorithm) {
    LoadBalancing lb = LoadBalancing.of(algorithm).withSlowStart(Duration.ofSeconds(10));
    Balancers bs = balancers(9);
    bs.forSlot(0, KEY, lb, set(endpoints(1), 1)).pick(NOTHING); // the loop served e0 alone
    Balancer b = bs.forSlot(0, KEY, lb, set(endpoints(1, 1), 2)); // e1 appears now
    // {seconds since e1 appeared, its expected share}: weight max(10 %, t / 10 s) against 1.
    double[][] table = {
      {0, 0.1 / 1.1}, {2.5, 0.25 / 1.25}, {5, 0.5 / 1.5}, {7.5, 0.75 / 1.75}, {10, 0.5}, {60, 0.5}
    };
    long start = clock.now;
    for (double[] row : table) {
      clock.now = start + (long) (row[0] * 1e9);
      int[] counts = sequential(b, 4_000, 2, NOTHING);
      assertThat(counts[1] / 4_000.0)
          .as("%s: e1's share %.1f s after it appeared", algorithm, row[0])
          .isBetween(row[1] - 0.025, row[1] + 0.025);
    }
  }

  @Test
  void the_first_endpoints_a_loop_sees_do_not_ramp() {
    LoadBalancing lb =
        LoadBalancing.of(Algorithm.ROUND_ROBIN).withSlowStart(Duration.ofSeconds(10));
    Balancer b = balancers(9).forSlot(0, KEY, lb, set(endpoints(1, 3), 1));
    assertThat(sequential(b, 400, 2, NOTHING)).containsExactly(100, 300);
  }

  @Test
  void an_endpoint_back_from_unavailable_ramps_up_again() {
    LoadBalancing lb =
        LoadBalancing.of(Algorithm.ROUND_ROBIN).withSlowStart(Duration.ofSeconds(10));
    Balancer b = balancers(9).forSlot(0, KEY, lb, set(endpoints(1, 1, 1), 1));
    availability.down("10.0.0.2");
    assertThat(sequential(b, 300, 3, NOTHING)[2]).isZero();
    availability.down.clear();
    availability.version++;
    int[] back = sequential(b, 2_100, 3, NOTHING); // at t = 0: weight 0.1 of 2.1
    assertThat(back[2]).isBetween(90, 110);
    clock.now += TimeUnit.SECONDS.toNanos(10);
    assertThat(sequential(b, 300, 3, NOTHING)).containsExactly(100, 100, 100);
  }

  // ---------------------------------------------------------------- availability and panic

  static Stream<Arguments> panic() {
    // {down, threshold, the endpoints that may be picked}
    return Stream.of(
        Arguments.of("none down", new String[] {}, 50, Set.of(0, 1, 2, 3)),
        Arguments.of("one of four down", new String[] {"10.0.0.0"}, 50, Set.of(1, 2, 3)),
        Arguments.of(
            "half down, at the threshold", new String[] {"10.0.0.0", "10.0.0.1"}, 50, Set.of(2, 3)),
        Arguments.of(
            "three of four down: panic",
            new String[] {"10.0.0.0", "10.0.0.1", "10.0.0.2"},
            50,
            Set.of(0, 1, 2, 3)),
        Arguments.of(
            "three down, threshold 20",
            new String[] {"10.0.0.0", "10.0.0.1", "10.0.0.2"},
            20,
            Set.of(3)),
        Arguments.of(
            "all down, panic off",
            new String[] {"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"},
            0,
            Set.of()),
        Arguments.of(
            "all down, panic",
            new String[] {"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"},
            50,
            Set.of(0, 1, 2, 3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("panic")
  void unavailable_endpoints_are_skipped_unless_too_few_are_left(
      String name, String[] down, int threshold, Set<Integer> expected) {
    for (Algorithm algorithm : Algorithm.values()) {
      LoadBalancing lb =
          new LoadBalancing(algorithm, HashOn.header("x-user"), null, null, threshold);
      Balancer b = balancers(4).forSlot(0, KEY, lb, set(endpoints(1, 1, 1, 1), 1));
      availability.down.clear();
      availability.down(down);
      Set<Integer> picked = new HashSet<>();
      for (int k = 0; k < 400; k++) {
        EndpointLoad l = b.pick(k % 2 == 0 ? NOTHING : Req.header("x-user", "u" + k));
        if (l != null) {
          picked.add(index(l));
        }
      }
      assertThat(picked).as("%s with %s", algorithm, name).isEqualTo(expected);
      // A split passes over a target that cannot pick.
      assertThat(b.canPick()).as("%s can pick", algorithm).isEqualTo(!expected.isEmpty());
    }
  }

  @Test
  void the_available_set_is_recomputed_only_when_the_version_moves() {
    Balancer b =
        balancers(4)
            .forSlot(
                0, KEY, LoadBalancing.of(Algorithm.LEAST_REQUEST), set(endpoints(1, 1, 1, 1), 1));
    int afterBuild = availability.asked;
    assertThat(afterBuild).isEqualTo(4);
    sequential(b, 1_000, 4, NOTHING);
    assertThat(availability.asked)
        .as("asked per endpoint while the version stood")
        .isEqualTo(afterBuild);
    availability.down("10.0.0.1");
    sequential(b, 1_000, 4, NOTHING);
    assertThat(availability.asked)
        .as("once more per endpoint after one move")
        .isEqualTo(afterBuild + 4);
  }

  // ---------------------------------------------------------------- cookie affinity

  @Test
  void an_affinity_cookie_pins_a_client_and_names_no_address() {
    LoadBalancing lb =
        LoadBalancing.of(Algorithm.ROUND_ROBIN).withAffinity(CookieAffinity.named("gh"));
    Balancer b = balancers(2).forSlot(0, KEY, lb, set(endpoints(1, 1, 1), 1));
    EndpointLoad first = b.pick(Req.cookie(null));
    assertThat(b.pinned()).isNull();
    String set = b.setCookie(b.pinned(), first, false, null);
    assertThat(set).matches("gh=[A-Za-z0-9_-]{22}; Path=/; HttpOnly").doesNotContain("10.0.0");
    String cookie = set.substring(0, set.indexOf(';'));
    for (int k = 0; k < 100; k++) {
      EndpointLoad l = b.pick(Req.cookie("a=1; " + cookie));
      assertThat(l).isSameAs(first);
      assertThat(b.setCookie(b.pinned(), l, false, null)).isNull();
    }
    // Another loop's balancer, after an endpoint change, honours the same cookie.
    Balancers other = balancers(99);
    other.forSlot(0, KEY, lb, set(endpoints(1, 1, 1), 1));
    List<Endpoint> more = new ArrayList<>(endpoints(1, 1, 1, 1));
    Balancer changed = other.forSlot(0, KEY, lb, set(more, 2));
    assertThat(changed.pick(Req.cookie(cookie)).endpoint()).isEqualTo(first.endpoint());
    // A forged value is no cookie: a pick and a new cookie.
    EndpointLoad forged = b.pick(Req.cookie("gh=AAAAAAAAAAAAAAAAAAAAAA"));
    assertThat(b.pinned()).isNull();
    assertThat(b.setCookie(b.pinned(), forged, true, null)).contains("; Secure");
  }

  @ParameterizedTest(name = "changeOnFailure={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void a_pinned_endpoint_that_is_unavailable_sends_the_client_elsewhere(boolean change) {
    CookieAffinity a =
        new CookieAffinity("gh", Duration.ofHours(1), "/", false, "Lax", true, change);
    LoadBalancing lb = LoadBalancing.of(Algorithm.LEAST_REQUEST).withAffinity(a);
    Balancer b = balancers(2).forSlot(0, KEY, lb, set(endpoints(1, 1, 1), 1));
    EndpointLoad first = b.pick(Req.cookie(null));
    String set = b.setCookie(null, first, true, null);
    assertThat(set)
        .isEqualTo(
            set.substring(0, set.indexOf(';')) + "; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
    String cookie = set.substring(0, set.indexOf(';'));
    availability.down(first.endpoint().host());
    EndpointLoad moved = b.pick(Req.cookie(cookie));
    assertThat(moved).isNotSameAs(first);
    assertThat(b.pinned()).isSameAs(first);
    String again = b.setCookie(b.pinned(), moved, false, null);
    if (change) {
      assertThat(again).isNotNull().doesNotContain(cookie);
    } else {
      assertThat(again)
          .as("the old cookie stays: the client returns when its endpoint does")
          .isNull();
    }
    availability.down.clear();
    availability.version++;
    assertThat(b.pick(Req.cookie(cookie))).isSameAs(first);
  }

  // ---------------------------------------------------------------- state across changes

  @Test
  void two_policies_on_one_slot_get_two_balancers_that_share_the_endpoints_loads() {
    Balancers bs = balancers(3);
    EndpointSet s = set(endpoints(1, 1), 1);
    LoadBalancing least = LoadBalancing.of(Algorithm.LEAST_REQUEST);
    Balancer rr = bs.forSlot(0, KEY, s);
    Balancer lr = bs.forSlot(0, KEY, least, s);
    assertThat(lr).isNotSameAs(rr);
    assertThat(bs.forSlot(0, KEY, s)).isSameAs(rr);
    assertThat(bs.forSlot(0, KEY, least, s)).isSameAs(lr);
    // An equal policy compiled again finds the same balancer.
    assertThat(bs.forSlot(0, KEY, LoadBalancing.of(Algorithm.LEAST_REQUEST), s)).isSameAs(lr);
    Endpoint e0 = new Endpoint("10.0.0.0", 8080, 1);
    rr.started(rr.loadOf(e0));
    assertThat(lr.loadOf(e0)).isSameAs(rr.loadOf(e0));
    assertThat(lr.pick(NOTHING).endpoint().host()).isEqualTo("10.0.0.1");
  }

  @Test
  void an_endpoint_change_keeps_the_loads_and_latency_of_the_endpoints_that_stay() {
    Balancers bs = balancers(3);
    LoadBalancing ewma = LoadBalancing.of(Algorithm.PEAK_EWMA);
    Balancer before = bs.forSlot(0, KEY, ewma, set(endpoints(1, 1, 1), 1));
    EndpointLoad e1 = before.loadOf(new Endpoint("10.0.0.1", 8080, 1));
    long since = before.started(e1);
    clock.now += 1_000_000;
    before.responded(e1, since);
    before.finished(e1);
    before.started(e1); // in flight across the change
    List<Endpoint> changed = new ArrayList<>(endpoints(1, 1, 1, 1));
    changed.remove(0);
    Balancer after = bs.forSlot(0, KEY, ewma, set(changed, 2));
    assertThat(after).isNotSameAs(before);
    assertThat(after.loadOf(new Endpoint("10.0.0.1", 8080, 1))).isSameAs(e1);
    assertThat(e1.inFlight()).isEqualTo(1);
    assertThat(e1.cost).isGreaterThan(0);
    // The attempt that started before the change ends on the counter it incremented.
    before.finished(e1);
    assertThat(after.loadOf(new Endpoint("10.0.0.1", 8080, 1)).inFlight()).isZero();
  }
}
