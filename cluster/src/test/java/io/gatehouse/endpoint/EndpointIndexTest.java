package io.gatehouse.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TenantId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EndpointIndexTest {
  private static final EndpointsKey WEB = new EndpointsKey.Service("shop", "web", 8080, "http");
  private static final EndpointsKey API = new EndpointsKey.Service("shop", "api", 9090, null);
  private static final EndpointsKey INLINE =
      new EndpointsKey.Inline(RouteKey.of("acme", "api", "r1"), 0);
  private static final EndpointsKey NAMED =
      new EndpointsKey.Named(new BackendKey(TenantId.of("acme"), "pool"));

  private static final Endpoint A = Endpoint.of("10.0.0.1", 8080);
  private static final Endpoint B = Endpoint.of("10.0.0.2", 8080);
  private static final Endpoint C = Endpoint.of("10.0.0.3", 8080);

  private final EndpointIndex index = new EndpointIndex();

  @Test
  void keys_of_a_kind_are_the_retained_and_put_keys_of_that_kind() {
    EndpointsKey.Service retained = new EndpointsKey.Service("shop", "web", 80, null);
    EndpointsKey.Service put = new EndpointsKey.Service("shop", "api", 0, "grpc");
    EndpointsKey.Service gone = new EndpointsKey.Service("shop", "old", 80, null);
    EndpointsKey.Inline inline = new EndpointsKey.Inline(RouteKey.of("t", "api", "r"), 0);
    EndpointIndex index = new EndpointIndex();
    index.retain(retained);
    index.put(put, List.of(Endpoint.of("10.0.0.1", 80)));
    index.put(gone, List.of(Endpoint.of("10.0.0.2", 80)));
    index.remove(gone);
    index.retain(inline);

    assertThat(index.keys(EndpointsKey.Service.class)).containsExactlyInAnyOrder(retained, put);
    assertThat(index.keys(EndpointsKey.Inline.class)).containsExactly(inline);
    assertThat(index.keys(EndpointsKey.Named.class)).isEmpty();
  }

  @Test
  void a_slot_stays_with_its_key_across_puts_and_a_second_retain() {
    int slot = index.retain(WEB);
    index.put(WEB, List.of(A));
    index.put(WEB, List.of(A, B));
    index.remove(WEB);
    index.put(WEB, List.of(C));

    assertThat(index.retain(WEB)).isEqualTo(slot);
    assertThat(index.retain(API)).isNotEqualTo(slot);
    assertThat(index.get(slot).endpoints()).containsExactly(C);
    assertThat(index.get(slot)).isSameAs(index.get(WEB));
  }

  @Test
  void a_put_before_the_retain_is_what_the_slot_holds() {
    index.put(NAMED, List.of(B, A));

    int slot = index.retain(NAMED);

    assertThat(index.get(slot).key()).isEqualTo(NAMED);
    assertThat(index.get(slot).endpoints()).containsExactly(A, B);
  }

  @Test
  void an_equal_put_in_another_order_keeps_the_same_set() {
    int slot = index.retain(INLINE);
    assertThat(index.put(INLINE, List.of(A, B))).isTrue();
    EndpointSet first = index.get(slot);

    assertThat(index.put(INLINE, new ArrayList<>(List.of(B, A)))).isFalse();

    assertThat(index.get(slot)).isSameAs(first);
    assertThat(index.get(INLINE)).isSameAs(first);
  }

  @Test
  void a_changed_put_stores_a_new_set_with_a_higher_revision() {
    int slot = index.retain(WEB);
    index.put(WEB, List.of(A));
    EndpointSet before = index.get(slot);

    assertThat(index.put(WEB, List.of(A, new Endpoint("10.0.0.1", 8080, 0)))).isTrue();

    assertThat(index.get(slot)).isNotSameAs(before);
    assertThat(index.get(slot).revision()).isGreaterThan(before.revision());
  }

  @Test
  void remove_leaves_a_retained_slot_holding_an_empty_known_set() {
    int slot = index.retain(WEB);
    index.put(WEB, List.of(A));

    assertThat(index.remove(WEB)).isTrue();

    assertThat(index.get(slot).endpoints()).isEmpty();
    assertThat(index.get(slot).revision()).isPositive();
    assertThat(index.get(WEB)).isSameAs(index.get(slot));
    assertThat(index.remove(WEB)).as("removing twice").isFalse();
  }

  @Test
  void remove_forgets_a_key_nobody_retains() {
    index.put(WEB, List.of(A));

    assertThat(index.remove(WEB)).isTrue();

    assertThat(index.size()).isZero();
    assertThat(index.get(WEB).endpoints()).isEmpty();
    assertThat(index.get(WEB).revision()).isZero();
  }

  @Test
  void a_miss_without_a_resolver_is_an_empty_set_of_revision_zero() {
    assertThat(index.get(API)).isEqualTo(EndpointSet.unknown(API));
    assertThat(index.size()).as("a look-up adds nothing").isZero();

    int slot = index.retain(API);

    assertThat(index.get(slot)).isEqualTo(EndpointSet.unknown(API));
  }

  @Test
  void a_miss_asks_the_resolver_of_the_keys_kind_once() {
    AtomicInteger calls = new AtomicInteger();
    index.resolver(
        EndpointsKey.Service.class,
        key -> {
          calls.incrementAndGet();
          return key.equals(WEB) ? List.of(B, A) : null;
        });

    int web = index.retain(WEB);
    int api = index.retain(API);
    index.retain(WEB);

    assertThat(index.get(web).endpoints()).containsExactly(A, B);
    assertThat(index.get(web).revision()).isPositive();
    assertThat(index.get(api).revision()).as("resolver answered null: unknown").isZero();
    assertThat(calls).as("the second retain of WEB hit").hasValue(2);
    assertThat(index.get(index.retain(INLINE)).revision())
        .as("no resolver for Inline keys")
        .isZero();
  }

  @Test
  void a_put_during_resolution_wins_over_the_resolved_list() {
    index.resolver(
        EndpointsKey.Service.class,
        key -> {
          index.put(key, List.of(C)); // a feeder, faster than the resolver's answer
          return List.of(A);
        });

    int slot = index.retain(WEB);

    assertThat(index.get(slot).endpoints()).containsExactly(C);
  }

  @Test
  void a_failing_resolver_leaves_nothing_retained() {
    index.resolver(
        EndpointsKey.Service.class,
        key -> {
          throw new IllegalStateException("cache not ready");
        });

    assertThatThrownBy(() -> index.retain(WEB)).hasMessage("cache not ready");

    assertThat(index.size()).isZero();
    assertThat(index.retain(INLINE)).as("the slot was freed").isZero();
  }

  @Test
  void a_slot_is_reused_only_once_unretained_and_removed() {
    int web = index.retain(WEB);
    index.put(WEB, List.of(A));
    index.release(web);

    int api = index.retain(API);
    assertThat(api).as("WEB still has endpoints: its slot is kept").isNotEqualTo(web);
    assertThat(index.retain(WEB)).as("and found again").isEqualTo(web);
    index.release(web);

    index.remove(WEB);
    int named = index.retain(NAMED);

    assertThat(named).as("lowest free slot").isEqualTo(web);
    assertThat(index.get(named).key()).isEqualTo(NAMED);
  }

  @Test
  void a_slot_freed_by_remove_keeps_an_empty_set_until_reused() {
    int web = index.retain(WEB);
    index.put(WEB, List.of(A));
    index.release(web);

    index.remove(WEB);

    assertThat(index.get(web).key()).isEqualTo(WEB);
    assertThat(index.get(web).endpoints()).as("an older snapshot reads empty").isEmpty();
  }

  @Test
  void an_unknown_key_frees_its_slot_at_the_last_release() {
    int slot = index.retain(API);
    index.retain(API);

    index.release(slot);
    assertThat(index.retain(WEB)).as("still held once").isNotEqualTo(slot);
    index.release(slot);

    assertThat(index.size()).as("only WEB").isEqualTo(1);
    assertThat(index.retain(INLINE)).isEqualTo(slot);
  }

  @Test
  void releasing_a_slot_nobody_holds_is_a_programming_error() {
    int slot = index.retain(WEB);
    index.release(slot);

    assertThatThrownBy(() -> index.release(slot)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> index.release(99)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void slots_beyond_the_first_array_keep_their_sets_when_it_grows() {
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      EndpointsKey key = new EndpointsKey.Service("ns", "s" + i, 80, null);
      index.put(key, List.of(Endpoint.of("10.1.0." + i, 80)));
      slots.add(index.retain(key));
    }

    assertThat(slots).doesNotHaveDuplicates();
    for (int i = 0; i < 200; i++) {
      assertThat(index.get(slots.get(i)).endpoints())
          .containsExactly(Endpoint.of("10.1.0." + i, 80));
    }
  }

  @Test
  void listeners_see_each_new_set_once_and_stop_when_closed() throws Exception {
    List<EndpointSet> seen = new ArrayList<>();
    AutoCloseable subscription = index.onChange(seen::add);

    index.put(WEB, List.of(A));
    index.put(WEB, List.of(A));
    index.remove(WEB);
    subscription.close();
    index.put(WEB, List.of(B));

    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).endpoints()).containsExactly(A);
    assertThat(seen.get(1).endpoints()).isEmpty();
  }

  @Test
  void a_set_is_sorted_and_immutable() {
    List<Endpoint> input = new ArrayList<>(List.of(C, A, B));
    EndpointSet set = new EndpointSet(WEB, input, 1);
    input.clear();

    assertThat(set.endpoints()).containsExactly(A, B, C);
    assertThatThrownBy(() -> set.endpoints().add(A))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
