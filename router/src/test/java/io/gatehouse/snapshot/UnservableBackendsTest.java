package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.matchName;
import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.TableView;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A route whose backends this release cannot serve yet (more than a split takes) can reach the
 * table from a later release, which validated it by its own rules. The compiler drops that route
 * with a problem and ships the rest, in a full compile and in an incremental one, including from an
 * endpoint-only change.
 */
@Timeout(30)
class UnservableBackendsTest {
  private static final RouteSpec GOOD = route("good").host("good.test").prefix("/").build();
  private static final RouteSpec LATER = route("later").host("later.test").prefix("/").build();

  static Stream<List<RouteBackend>> unservable() {
    return Stream.of(
        // More backends than a split's pick can track (a later release may allow more than 16).
        Collections.nCopies(Split.MAX_TARGETS + 1, RouteBackend.of(LATER.backend())));
  }

  @ParameterizedTest
  @MethodSource("unservable")
  void a_full_compile_drops_the_route_and_ships_the_rest(List<RouteBackend> backends) {
    RouteSnapshot s = Routes.snapshot(List.of(GOOD, LATER.withBackends(backends)));

    assertOnlyGoodIsServed(s);
  }

  @ParameterizedTest
  @MethodSource("unservable")
  void an_incremental_compile_drops_the_route_and_ships_the_rest(List<RouteBackend> backends) {
    SnapshotCompiler compiler = new SnapshotCompiler();
    Map<RouteKey, RouteSpec> routes = new HashMap<>();
    routes.put(GOOD.key(), GOOD);
    routes.put(LATER.key(), LATER);
    RouteSnapshot before = compiler.update(new TableView(1, routes));
    assertThat(matchName(before, req("later.test", "/"))).isEqualTo("later");

    routes.put(LATER.key(), LATER.withBackends(backends));
    RouteSnapshot after = compiler.update(new TableView(2, Map.copyOf(routes)));

    assertOnlyGoodIsServed(after);
    // And back: a later view that the release can serve brings the route back.
    routes.put(LATER.key(), LATER);
    assertThat(matchName(compiler.update(new TableView(3, routes)), req("later.test", "/")))
        .isEqualTo("later");
  }

  private static void assertOnlyGoodIsServed(RouteSnapshot s) {
    assertThat(matchName(s, req("good.test", "/x"))).isEqualTo("good");
    assertThat(matchName(s, req("later.test", "/x"))).isNull();
    assertThat(s.routeCount()).isEqualTo(1);
    assertThat(s.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.key()).isEqualTo(LATER.key());
              assertThat(p.message()).contains("route dropped").contains("backend");
            });
  }
}
