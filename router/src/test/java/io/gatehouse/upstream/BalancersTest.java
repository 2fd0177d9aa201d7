package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.TableView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The balancers of one event loop, by slot, as endpoint sets change under compiled routes. */
@Timeout(10)
class BalancersTest {
  /** A start generator that always says 0: the rotation starts where nginx's does. */
  private static final RandomGenerator NO_RANDOM_START = () -> 0L;

  private final EndpointIndex index = new EndpointIndex();
  private final SnapshotCompiler compiler = new SnapshotCompiler(index);
  private final Balancers balancers = new Balancers(NO_RANDOM_START);

  private static Endpoint ep(String host, int weight) {
    return new Endpoint(host, 80, weight);
  }

  private static RouteSpec route(String name, String host, Endpoint... eps) {
    return RouteSpec.simple(
        RouteKey.of("default", "cli", name),
        List.of(host),
        List.of(PathMatch.prefix("/")),
        BackendSpec.http1(List.of(eps)));
  }

  private RouteSnapshot publish(long generation, RouteSpec... routes) {
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    for (RouteSpec r : routes) {
      m.put(r.key(), r);
    }
    RouteSnapshot s = compiler.update(new TableView(generation, m));
    compiler.afterPublish();
    return s;
  }

  /** What a request on {@code route} does: one read of its slot, one identity compare. */
  private Balancer balancerOf(RouteSnapshot s, RouteSpec route) {
    Target t = s.route(route.key()).target();
    return balancers.forSlot(t.slot(), t.key(), index.get(t.slot()));
  }

  private static EndpointSet set(String route, List<Endpoint> endpoints, long revision) {
    return new EndpointSet(
        new EndpointsKey.Inline(RouteKey.of("default", "cli", route), 0), endpoints, revision);
  }

  @Test
  void an_unchanged_slot_keeps_its_balancer_and_its_rotation() {
    RouteSpec a = route("a", "a.example", ep("10.0.0.1", 1), ep("10.0.0.2", 1));
    RouteSpec b = route("b", "b.example", ep("10.0.0.3", 1));
    RouteSnapshot s1 = publish(1, a, b);
    Balancer aBalancer = balancerOf(s1, a);
    Endpoint firstPick = aBalancer.next();

    RouteSpec b2 = route("b", "b.example", ep("10.0.0.4", 1));
    RouteSpec c = route("c", "c.example", ep("10.0.0.5", 1));
    RouteSnapshot s2 = publish(2, a, b2, c);

    assertThat(balancerOf(s2, a)).isSameAs(aBalancer);
    // Same rotation: the unchanged slot continues where it was, not from the start.
    assertThat(balancerOf(s2, a).next()).isNotEqualTo(firstPick);
    assertThat(balancerOf(s2, b2).next()).isEqualTo(ep("10.0.0.4", 1));
    assertThat(balancerOf(s2, c).next()).isEqualTo(ep("10.0.0.5", 1));
    assertThat(balancerOf(s2, b2)).isSameAs(balancerOf(s2, b2));
  }

  @Test
  void a_changed_slot_keeps_the_rotation_of_its_common_endpoints() {
    RouteSpec a = route("a", "a.example", ep("10.0.0.1", 1), ep("10.0.0.2", 1));
    RouteSpec b = route("b", "b.example", ep("10.0.0.3", 1));
    RouteSnapshot s1 = publish(1, a, b);
    Balancer bBalancer = balancerOf(s1, b);
    assertThat(balancerOf(s1, a).next()).isEqualTo(ep("10.0.0.1", 1));

    RouteSpec a2 =
        a.withBackend(
            BackendSpec.http1(List.of(ep("10.0.0.1", 1), ep("10.0.0.2", 1), ep("10.0.0.9", 1))));
    RouteSnapshot s2 = publish(2, a2, b);

    assertThat(s2.route(a.key())).isSameAs(s1.route(a.key()));
    assertThat(balancerOf(s2, b)).isSameAs(bBalancer);
    Balancer aBalancer = balancerOf(s2, a2);
    assertThat(aBalancer.set().endpoints()).hasSize(3);
    // 10.0.0.1 was just picked: the rotation goes on to 10.0.0.2 instead of starting over.
    assertThat(aBalancer.next()).isEqualTo(ep("10.0.0.2", 1));
  }

  @Test
  void the_merge_carries_the_state_of_common_endpoints_whatever_the_random_rotation() {
    Random seeded = new Random(3);
    for (int round = 0; round < 50; round++) {
      List<Endpoint> before = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        before.add(ep(String.format("10.0.%d.%d", i / 10, i % 10), 1 + seeded.nextInt(5)));
      }
      Balancer old = new Balancer(set("r", before, 1), seeded);
      for (int k = seeded.nextInt(100); k > 0; k--) {
        old.next();
      }
      List<Endpoint> after = new ArrayList<>(before);
      Endpoint gone = after.remove(seeded.nextInt(after.size()));
      Endpoint zeroed = after.get(seeded.nextInt(after.size()));
      after.set(after.indexOf(zeroed), ep(zeroed.host(), 0));
      Endpoint added = ep("10.9.9.9", 2);
      after.add(added);

      Balancer next = old.withEndpoints(set("r", after, 2), seeded);

      assertThat(next.size()).isEqualTo(39);
      assertThat(next.current(added)).isZero();
      assertThat(next.current(gone)).isNull();
      assertThat(next.current(zeroed)).isNull();
      for (Endpoint e : before) {
        if (!e.equals(gone) && !e.equals(zeroed)) {
          assertThat(next.current(e)).as("%s in round %d", e, round).isEqualTo(old.current(e));
        }
      }
    }
  }

  @Test
  void a_slot_given_to_another_key_gets_a_fresh_balancer_and_a_stale_reader_gets_none() {
    EndpointSet first = set("one", List.of(ep("10.0.0.1", 1), ep("10.0.0.2", 1)), 1);
    Balancer b1 = balancers.forSlot(0, first.key(), first);
    b1.next();

    // The slot now holds another key's set: a request of an older snapshot still asking for the
    // first key gets no endpoint, and the balancer is not replaced for it.
    EndpointSet other = set("two", List.of(ep("10.0.0.1", 1), ep("10.0.0.2", 1)), 2);
    assertThat(balancers.forSlot(0, first.key(), other).next()).isNull();
    Balancer b2 = balancers.forSlot(0, other.key(), other);
    assertThat(b2).isNotSameAs(b1);
    // Fresh, not carried over from the other key: it starts at the first endpoint.
    assertThat(b2.next()).isEqualTo(ep("10.0.0.1", 1));
    assertThat(balancers.forSlot(0, other.key(), other)).isSameAs(b2);
  }

  @Test
  void slots_beyond_the_first_array_grow_it() {
    EndpointSet s = set("far", List.of(ep("10.0.0.1", 1)), 1);
    Balancer b = balancers.forSlot(1000, s.key(), s);
    assertThat(b.next()).isEqualTo(ep("10.0.0.1", 1));
    assertThat(balancers.forSlot(1000, s.key(), s)).isSameAs(b);
  }
}
