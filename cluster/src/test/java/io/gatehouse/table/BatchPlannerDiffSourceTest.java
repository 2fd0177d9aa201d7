package io.gatehouse.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.TestRoutes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BatchPlanner#diffSource}: the writes a source replacement needs, and no others. */
class BatchPlannerDiffSourceTest {

  private static RouteSpec route(String source, String name, int port) {
    return TestRoutes.route("default", source, name, port);
  }

  private static InMemoryRouteTable table(RouteSpec... routes) {
    InMemoryRouteTable t = new InMemoryRouteTable();
    for (RouteSpec r : routes) {
      t.put(r);
    }
    return t;
  }

  @Test
  void an_unchanged_source_needs_no_write() {
    InMemoryRouteTable t = table(route("k8s", "a", 1), route("k8s", "b", 1));
    BatchPlanner.SourceDiff d =
        BatchPlanner.diffSource(
            "k8s", List.of(route("k8s", "a", 1), route("k8s", "b", 1)), t.view());
    assertThat(d.batch().writes()).isEmpty();
    assertThat(d.batch().durable()).isFalse();
  }

  @Test
  void only_changed_routes_are_put_and_missing_ones_deleted() {
    InMemoryRouteTable t =
        table(route("k8s", "a", 1), route("k8s", "b", 1), route("k8s", "gone", 1));
    long revisionOfA = t.view().revision(EntryKey.route(RouteKey.of("default", "k8s", "a")));
    BatchPlanner.SourceDiff d =
        BatchPlanner.diffSource(
            "k8s",
            List.of(route("k8s", "a", 2), route("k8s", "b", 1), route("k8s", "new", 1)),
            t.view());
    assertThat(d.batch().writes())
        .extracting(w -> w.key().id() + (w instanceof Write.Put ? " put" : " delete"))
        .containsExactlyInAnyOrder(
            "default/k8s/a put", "default/k8s/new put", "default/k8s/gone delete");
    // what the view holds under the written keys, with its revision
    EntryKey a = EntryKey.route(RouteKey.of("default", "k8s", "a"));
    assertThat(d.current())
        .containsOnlyKeys(a, EntryKey.route(RouteKey.of("default", "k8s", "gone")));
    assertThat(d.current().get(a).revision()).isEqualTo(revisionOfA);
    assertThat(d.current().get(a).value()).isEqualTo(route("k8s", "a", 1));
  }

  @Test
  void other_sources_are_left_alone() {
    InMemoryRouteTable t = table(route("api", "x", 1), route("k8s", "a", 1));
    BatchPlanner.SourceDiff d = BatchPlanner.diffSource("k8s", List.of(), t.view());
    assertThat(d.batch().writes())
        .singleElement()
        .satisfies(w -> assertThat(w.key().id()).isEqualTo("default/k8s/a"));
  }

  @Test
  void applied_it_leaves_the_table_as_a_full_replacement_would() {
    RouteSpec[] before = {
      route("api", "x", 1), route("k8s", "a", 1), route("k8s", "b", 1), route("k8s", "c", 1)
    };
    List<RouteSpec> next =
        List.of(route("k8s", "a", 1), route("k8s", "b", 3), route("k8s", "d", 1));
    InMemoryRouteTable diffed = table(before);
    InMemoryRouteTable replaced = table(before);
    diffed.apply(BatchPlanner.diffSource("k8s", next, diffed.view()).batch());
    replaced.replaceSource("k8s", next);
    assertThat(diffed.view().routes()).isEqualTo(replaced.view().routes());
    assertThat(diffed.view().generation()).isEqualTo(replaced.view().generation());
    assertThat(diffed.view().revisions()).isEqualTo(replaced.view().revisions());
  }

  @Test
  void a_route_of_another_source_or_given_twice_is_refused() {
    InMemoryRouteTable t = table();
    assertThatThrownBy(
            () -> BatchPlanner.diffSource("k8s", List.of(route("api", "a", 1)), t.view()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not from source k8s");
    assertThatThrownBy(
            () ->
                BatchPlanner.diffSource(
                    "k8s", List.of(route("k8s", "a", 1), route("k8s", "a", 2)), t.view()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("given twice");
  }
}
