package io.gatehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.TestRoutes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InMemoryRouteTableTest {

  private static RouteSpec route(String source, String name, int port) {
    return TestRoutes.route("default", source, name, port);
  }

  @Test
  void starts_empty_at_generation_zero() {
    InMemoryRouteTable t = new InMemoryRouteTable();
    assertThat(t.view().generation()).isZero();
    assertThat(t.view().routes()).isEmpty();
  }

  @Test
  void each_change_advances_the_generation_by_one() {
    InMemoryRouteTable t = new InMemoryRouteTable();
    assertThat(t.put(route("api", "a", 1))).isEqualTo(1);
    assertThat(t.put(route("api", "b", 1))).isEqualTo(2);
    assertThat(t.put(route("api", "a", 2))).isEqualTo(3);
    assertThat(t.view().routes().get(RouteKey.of("default", "api", "a")).backend().endpoints())
        .containsExactly(Endpoint.of("10.0.0.1", 2));
    assertThat(t.remove(RouteKey.of("default", "api", "b"))).isEqualTo(4);
    assertThat(t.view().generation()).isEqualTo(4);
    assertThat(t.view().routes()).containsOnlyKeys(RouteKey.of("default", "api", "a"));
  }

  @Test
  void no_op_writes_keep_the_generation_and_notify_no_one() throws Exception {
    InMemoryRouteTable t = new InMemoryRouteTable();
    t.put(route("api", "a", 1));
    t.replaceSource("file", List.of(route("file", "f", 1)));
    List<TableView> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = t.subscribe(seen::add)) {
      assertThat(seen).hasSize(1);
      long g = t.view().generation();
      TableView before = t.view();

      assertThat(t.put(route("api", "a", 1))).isEqualTo(g);
      assertThat(t.remove(RouteKey.of("default", "api", "missing"))).isEqualTo(g);
      assertThat(t.replaceSource("file", List.of(route("file", "f", 1)))).isEqualTo(g);
      assertThat(t.replaceSource("k8s", List.of())).isEqualTo(g);

      assertThat(t.view()).isSameAs(before);
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void replace_source_swaps_that_source_only_in_one_generation() throws Exception {
    InMemoryRouteTable t = new InMemoryRouteTable();
    t.put(route("api", "keep", 1));
    t.replaceSource("file", List.of(route("file", "a", 1), route("file", "b", 1)));
    long g = t.view().generation();
    List<TableView> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = t.subscribe(seen::add)) {
      long next =
          t.replaceSource(
              "file", List.of(route("file", "b", 2), route("file", "c", 1), route("file", "d", 1)));
      assertThat(next).isEqualTo(g + 1);
      // One notification after the current one, and it holds the whole new source at once.
      assertThat(seen).hasSize(2);
      assertThat(seen.get(1).generation()).isEqualTo(g + 1);
      assertThat(seen.get(1).routes().keySet())
          .extracting(RouteKey::toString)
          .containsExactlyInAnyOrder(
              "default/api/keep", "default/file/b", "default/file/c", "default/file/d");
    }
    assertThat(t.replaceSource("file", List.of())).isEqualTo(g + 2);
    assertThat(t.view().routes().keySet()).containsExactly(RouteKey.of("default", "api", "keep"));
  }

  @Test
  void replace_source_with_a_foreign_route_changes_nothing() {
    InMemoryRouteTable t = new InMemoryRouteTable();
    t.replaceSource("file", List.of(route("file", "a", 1)));
    TableView before = t.view();
    assertThatThrownBy(
            () -> t.replaceSource("file", List.of(route("file", "b", 1), route("api", "x", 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("default/api/x")
        .hasMessageContaining("file");
    assertThat(t.view()).isSameAs(before);
  }

  @Test
  void views_are_immutable_snapshots() {
    InMemoryRouteTable t = new InMemoryRouteTable();
    t.put(route("api", "a", 1));
    TableView v1 = t.view();
    t.put(route("api", "b", 1));
    assertThat(v1.routes()).hasSize(1);
    assertThatThrownBy(() -> v1.routes().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void unsubscribed_listeners_hear_nothing_more() throws Exception {
    InMemoryRouteTable t = new InMemoryRouteTable();
    List<TableView> seen = new CopyOnWriteArrayList<>();
    AutoCloseable sub = t.subscribe(seen::add);
    t.put(route("api", "a", 1));
    sub.close();
    t.put(route("api", "b", 1));
    assertThat(seen).extracting(TableView::generation).containsExactly(0L, 1L);
  }

  @Test
  void concurrent_replace_source_never_shows_a_half_applied_source() throws Exception {
    InMemoryRouteTable t = new InMemoryRouteTable();
    List<RouteSpec> even = new ArrayList<>();
    List<RouteSpec> odd = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      even.add(route("file", "r" + i, 2));
      odd.add(route("file", "r" + i, 3));
    }
    List<String> broken = new CopyOnWriteArrayList<>();
    List<Long> generations = new CopyOnWriteArrayList<>();
    t.subscribe(
        v -> {
          generations.add(v.generation());
          long ports =
              v.routes().values().stream()
                  .map(r -> r.backend().endpoints().get(0).port())
                  .distinct()
                  .count();
          if (ports > 1) {
            broken.add("generation " + v.generation() + " mixes versions");
          }
        });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (List<RouteSpec> version : List.of(even, odd)) {
        fs.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 500; i++) {
                    t.replaceSource("file", version);
                    assertThat(t.view().routes()).hasSize(20);
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(broken).isEmpty();
    // Generations are published in order and without gaps.
    for (int i = 1; i < generations.size(); i++) {
      assertThat(generations.get(i)).isEqualTo(generations.get(i - 1) + 1);
    }
    assertThat(t.view().generation()).isEqualTo(generations.get(generations.size() - 1));
  }
}
