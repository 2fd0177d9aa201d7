package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.matchName;
import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.table.TableView;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How passthrough routes compile: by SNI name only, with their conflicts as problems. */
@Timeout(30)
class PassthroughCompileTest {
  private final SnapshotCompiler compiler = new SnapshotCompiler(new EndpointIndex());
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private long generation;

  private static RouteSpec pt(String name, String... hosts) {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(name).host(hosts).prefix("/").build().withTls(TlsSpec.passthrough(List.of())));
    assertThat(v.violations()).isEmpty();
    return v.value();
  }

  private RouteSnapshot put(RouteSpec... specs) {
    for (RouteSpec r : specs) {
      routes.put(r.key(), r);
    }
    RouteSnapshot s = compiler.update(new TableView(++generation, routes));
    compiler.afterPublish();
    return s;
  }

  private RouteSnapshot remove(RouteSpec... specs) {
    for (RouteSpec r : specs) {
      routes.remove(r.key());
    }
    RouteSnapshot s = compiler.update(new TableView(++generation, routes));
    compiler.afterPublish();
    return s;
  }

  private static String passedTo(RouteSnapshot s, String sni) {
    CompiledRoute r = s.passthrough().lookup(sni);
    return r == null ? null : r.spec().key().name();
  }

  @Test
  void no_passthrough_route_leaves_the_table_empty() {
    RouteSnapshot s = put(route("web").host("a.test").prefix("/").build());
    assertThat(s.passthrough().isEmpty()).isTrue();
    assertThat(s.passthrough()).isSameAs(PassthroughHosts.NONE);
  }

  @Test
  void a_passthrough_route_is_found_by_sni_name_and_never_matches_http() {
    RouteSnapshot s = put(pt("pt", "pt.test", "*.wild.test"));
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("pt.test", "pt");
    cases.put("PT.Test.", "pt"); // any case, a trailing dot
    cases.put("a.wild.test", "pt"); // one label under the wildcard
    cases.put("a.b.wild.test", null); // two labels: not covered
    cases.put("wild.test", null);
    cases.put("other.test", null);
    cases.put("", null);
    cases.forEach((sni, want) -> assertThat(passedTo(s, sni)).as(sni).isEqualTo(want));
    assertThat(s.passthrough().lookup(null)).isNull();
    assertThat(matchName(s, req("pt.test", "/"))).isNull();
    assertThat(s.servesTerminated("pt.test")).isFalse();
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void terminated_names_are_those_of_http_routes_and_every_name_with_a_catch_all() {
    RouteSnapshot s = put(pt("pt", "pt.test"), route("web").host("*.web.test").prefix("/").build());
    assertThat(s.servesTerminated("x.web.test")).isTrue();
    assertThat(s.servesTerminated("X.WEB.TEST.")).isTrue();
    assertThat(s.servesTerminated("nope.test")).isFalse();
    assertThat(s.servesTerminated(null)).isFalse();
    RouteSnapshot any = put(route("any").prefix("/").build());
    assertThat(any.servesTerminated("nope.test")).isTrue();
    assertThat(any.servesTerminated(null)).isTrue();
  }

  @Test
  void the_smaller_key_wins_a_shared_name_and_the_other_gets_a_problem_until_it_is_alone() {
    RouteSnapshot s = put(pt("b", "pt.test"), pt("a", "pt.test"));
    assertThat(passedTo(s, "pt.test")).isEqualTo("a");
    assertThat(s.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.key().name()).isEqualTo("b");
              assertThat(p.message()).contains("host pt.test is passed through by route");
            });
    RouteSnapshot after = remove(pt("a", "pt.test"));
    assertThat(passedTo(after, "pt.test")).isEqualTo("b");
    assertThat(after.problems()).isEmpty();
  }

  @Test
  void a_name_also_served_over_http_is_a_problem_of_the_passthrough_route_alone() {
    RouteSnapshot s = put(pt("pt", "pt.test"));
    assertThat(s.problems()).isEmpty();
    // The HTTP route arrives later, in an incremental compile that does not recompile "pt".
    RouteSnapshot both = put(route("web").host("pt.test").prefix("/").build());
    assertThat(passedTo(both, "pt.test")).isEqualTo("pt");
    assertThat(matchName(both, req("pt.test", "/x"))).isEqualTo("web");
    assertThat(both.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.key().name()).isEqualTo("pt");
              assertThat(p.message()).contains("also has routes served over HTTP");
            });
    assertThat(remove(route("web").host("pt.test").prefix("/").build()).problems()).isEmpty();
  }

  @Test
  void a_full_rebuild_gives_the_table_an_incremental_one_gave() {
    put(pt("a", "a.test"), pt("w", "*.w.test"), route("web").host("web.test").prefix("/").build());
    RouteSnapshot incremental = remove(pt("a", "a.test"));
    RouteSnapshot full = compiler.rebuild(new TableView(++generation, routes));
    assertThat(full.passthrough()).isEqualTo(incremental.passthrough());
    assertThat(passedTo(full, "x.w.test")).isEqualTo("w");
    assertThat(passedTo(full, "a.test")).isNull();
  }
}
