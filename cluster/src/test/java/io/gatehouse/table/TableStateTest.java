package io.gatehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.gatehouse.model.HostClaim;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.testing.TestRoutes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The views a {@link TableState} makes: shared persistent maps and the keys changed between them.
 */
class TableStateTest {
  private final TableState state = new TableState();
  private long revision;

  private void putRoute(String name, int port) {
    RouteSpec r = TestRoutes.route("t1", "rest", name, port);
    state.apply(new Versioned(EntryKey.of(r), ++revision, 0, 1, r, true));
  }

  private void deleteRoute(String name) {
    EntryKey key = EntryKey.route(RouteKey.of("t1", "rest", name));
    state.apply(new Versioned(key, ++revision, 0, 1, null, true));
  }

  private TableView view() {
    state.generation(state.generation() + 1);
    return state.view();
  }

  private static RouteKey key(String name) {
    return RouteKey.of("t1", "rest", name);
  }

  @Test
  void a_view_lists_the_routes_written_since_an_older_one() {
    putRoute("a", 1);
    putRoute("b", 1);
    TableView v1 = view();
    putRoute("a", 2);
    TableView v2 = view();
    deleteRoute("b");
    putRoute("c", 1);
    TableView v3 = view();

    assertThat(v2.changesSince(v1).routes()).containsExactly(key("a"));
    assertThat(v3.changesSince(v2).routes()).containsExactlyInAnyOrder(key("b"), key("c"));
    assertThat(v3.changesSince(v1).routes())
        .containsExactlyInAnyOrder(key("a"), key("b"), key("c"));
    assertThat(v3.changesSince(v3)).isEqualTo(TableDelta.NONE);
    assertThat(v1.changesSince(v3)).as("backwards").isNull();
    assertThat(v3.routes()).containsOnlyKeys(key("a"), key("c"));
  }

  @Test
  void other_kinds_are_listed_by_their_own_keys() {
    TableView v1 = view();
    HostClaim claim = new HostClaim("a.example", TenantId.of("t1"));
    state.apply(new Versioned(EntryKey.of(claim), ++revision, 0, 1, claim, true));
    TableView v2 = view();

    TableDelta d = v2.changesSince(v1);
    assertThat(d.hostClaims()).containsExactly("a.example");
    assertThat(d.routes()).isEmpty();
  }

  @Test
  void no_change_gives_the_same_view() {
    putRoute("a", 1);
    TableView v1 = view();
    assertThat(state.view()).isSameAs(v1);
  }

  @Test
  void views_from_different_states_or_across_a_reload_are_not_compared_by_key() {
    putRoute("a", 1);
    TableView before = view();
    state.clear();
    putRoute("a", 1);
    TableView after = view();
    putRoute("b", 1);
    TableView later = view();

    assertThat(after.changesSince(before)).isNull();
    assertThat(later.changesSince(after).routes()).containsExactly(key("b"));
    assertThat(after.changesSince(new TableView(1, Map.of()))).isNull();
    assertThat(new TableView(1, Map.of()).changesSince(after)).isNull();
  }

  @Test
  void a_log_that_no_longer_holds_the_way_answers_unknown() {
    TableView first = view();
    for (int i = 0; i <= ChangeLog.MAX_BATCHES; i++) {
      putRoute("r" + i, 1);
      view();
    }
    putRoute("last", 1);
    TableView v = view();
    assertThat(v.changesSince(first)).isNull();
  }

  @Test
  void a_batch_too_large_to_keep_answers_unknown_but_later_ones_are_kept() {
    TableView v0 = view();
    for (int i = 0; i <= ChangeLog.MAX_KEYS; i++) {
      putRoute("r" + i, 1);
    }
    TableView big = view();
    putRoute("x", 1);
    TableView next = view();

    assertThat(big.changesSince(v0)).isNull();
    assertThat(next.changesSince(big).routes()).containsExactly(key("x"));
  }

  @Test
  void unchanged_entries_are_shared_not_copied() {
    putRoute("a", 1);
    TableView v1 = view();
    putRoute("b", 1);
    TableView v2 = view();
    assertThat(v2.routes().get(key("a"))).isSameAs(v1.routes().get(key("a")));
    assertThat(v1.routes()).containsOnlyKeys(key("a")); // the older view is not changed
  }

  /**
   * For any sequence of writes and views, the delta between any two views is sound and complete:
   * every route whose value differs is listed.
   */
  @Test
  void the_delta_covers_every_difference() {
    qt().withExamples(200)
        .forAll(lists().of(integers().between(0, 40)).ofSizeBetween(1, 60))
        .checkAssert(
            ops -> {
              TableState s = new TableState();
              List<TableView> views = new ArrayList<>();
              long rev = 0;
              for (int op : ops) {
                if (op >= 35) {
                  s.generation(s.generation() + 1);
                  views.add(s.view());
                  continue;
                }
                String name = "r" + (op % 7);
                EntryKey k = EntryKey.route(key(name));
                Object value =
                    op % 5 == 0 ? null : TestRoutes.route("t1", "rest", name, op % 3 + 1);
                s.apply(new Versioned(k, ++rev, 0, 1, value, true));
              }
              views.add(s.view());
              for (int i = 0; i < views.size(); i++) {
                for (int j = i; j < views.size(); j++) {
                  TableView older = views.get(i);
                  TableView newer = views.get(j);
                  TableDelta d = newer.changesSince(older);
                  assertThat(d).isNotNull();
                  Set<RouteKey> all = new HashSet<>(older.routes().keySet());
                  all.addAll(newer.routes().keySet());
                  for (RouteKey k : all) {
                    if (!Objects.equals(older.routes().get(k), newer.routes().get(k))) {
                      assertThat(d.routes()).contains(k);
                    }
                  }
                }
              }
            });
  }

  @Test
  void a_listener_is_live_in_the_view_and_listed_among_its_changes() {
    ListenerKey k = ListenerKey.of("t1", "k8s", "gateway/t1/web/80");
    ListenerSpec l = new ListenerSpec(k, "127.0.1.1", 80, ListenerProtocol.HTTP);
    TableView v1 = view();
    state.apply(new Versioned(EntryKey.of(l), ++revision, 0, 1, l, true));
    TableView v2 = view();
    assertThat(v2.listeners()).containsExactly(Map.entry(k, l));
    assertThat(v2.changesSince(v1).listeners()).containsExactly(k);
    assertThat(v2.changesSince(v1).routes()).isEmpty();
    state.apply(new Versioned(EntryKey.listener(k), ++revision, 0, 1, null, true));
    TableView v3 = view();
    assertThat(v3.listeners()).isEmpty();
    assertThat(v3.changesSince(v2).listeners()).containsExactly(k);
  }
}
