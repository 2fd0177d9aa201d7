package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.matchName;
import static io.gatehouse.snapshot.Routes.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the "Examples" table under "Path types" in the Kubernetes Ingress documentation
 * (https://kubernetes.io/docs/concepts/services-networking/ingress/#examples), checked against the
 * kubernetes/website source of that page. Each listed path is its own route, named {@code p0},
 * {@code p1}, ... so the case can say which one answers; null means no route (default backend).
 */
class IngressPathExamplesTest {

  record Case(List<PathMatch> paths, List<String> requests, String expected) {}

  private static Arguments row(
      String name, List<PathMatch> paths, List<String> requests, String expected) {
    return Arguments.of(named(name, new Case(paths, requests, expected)));
  }

  private static PathMatch prefix(String v) {
    return PathMatch.prefix(v);
  }

  private static PathMatch exact(String v) {
    return PathMatch.exact(v);
  }

  static Stream<Arguments> examples() {
    return Stream.of(
        row(
            "prefix-root-matches-all-paths",
            List.of(prefix("/")),
            List.of("/", "/foo", "/foo/", "/aaa/bbb/ccc", "/x.html"),
            "p0"),
        row("exact-foo-matches-foo", List.of(exact("/foo")), List.of("/foo"), "p0"),
        row("exact-foo-does-not-match-bar", List.of(exact("/foo")), List.of("/bar"), null),
        row(
            "exact-foo-does-not-match-trailing-slash",
            List.of(exact("/foo")),
            List.of("/foo/"),
            null),
        row("exact-foo-slash-does-not-match-foo", List.of(exact("/foo/")), List.of("/foo"), null),
        row(
            "prefix-foo-matches-foo-and-foo-slash",
            List.of(prefix("/foo")),
            List.of("/foo", "/foo/"),
            "p0"),
        row(
            "prefix-foo-slash-matches-foo-and-foo-slash",
            List.of(prefix("/foo/")),
            List.of("/foo", "/foo/"),
            "p0"),
        row(
            "prefix-matches-whole-segments-only",
            List.of(prefix("/aaa/bb")),
            List.of("/aaa/bbb"),
            null),
        row("prefix-matches-equal-path", List.of(prefix("/aaa/bbb")), List.of("/aaa/bbb"), "p0"),
        row(
            "prefix-ignores-its-trailing-slash",
            List.of(prefix("/aaa/bbb/")),
            List.of("/aaa/bbb"),
            "p0"),
        row(
            "prefix-matches-request-trailing-slash",
            List.of(prefix("/aaa/bbb")),
            List.of("/aaa/bbb/"),
            "p0"),
        row("prefix-matches-subpath", List.of(prefix("/aaa/bbb")), List.of("/aaa/bbb/ccc"), "p0"),
        row(
            "prefix-does-not-match-string-prefix",
            List.of(prefix("/aaa/bbb")),
            List.of("/aaa/bbbxyz"),
            null),
        row(
            "prefix-with-trailing-slash-does-not-match-string-prefix",
            List.of(prefix("/aaa/bbb/")),
            List.of("/aaa/bbbxyz"),
            null),
        row(
            "longest-prefix-wins-aaa",
            List.of(prefix("/"), prefix("/aaa")),
            List.of("/aaa/ccc"),
            "p1"),
        row(
            "longest-prefix-wins-aaa-bbb",
            List.of(prefix("/"), prefix("/aaa"), prefix("/aaa/bbb")),
            List.of("/aaa/bbb"),
            "p2"),
        row(
            "shorter-prefix-root-catches-the-rest",
            List.of(prefix("/"), prefix("/aaa"), prefix("/aaa/bbb")),
            List.of("/ccc"),
            "p0"),
        row(
            "unmatched-prefix-uses-default-backend",
            List.of(prefix("/aaa")),
            List.of("/ccc"),
            null),
        row("mixed-prefers-exact", List.of(prefix("/foo"), exact("/foo")), List.of("/foo"), "p1"));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void each_ingress_example_matches_as_kubernetes_documents(Case c) {
    List<RouteSpec> routes = new ArrayList<>();
    for (int i = 0; i < c.paths().size(); i++) {
      routes.add(Routes.route("p" + i).path(c.paths().get(i)).build());
    }
    RouteSnapshot s = Routes.snapshot(routes);
    for (String path : c.requests()) {
      assertThat(matchName(s, req("any.example.com", path)))
          .as("request %s", path)
          .isEqualTo(c.expected());
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void each_ingress_example_matches_the_same_inside_one_host_in_reverse_order(Case c) {
    // The same table holds inside one host's level, and in reverse declaration order.
    List<RouteSpec> routes = new ArrayList<>();
    for (int i = c.paths().size() - 1; i >= 0; i--) {
      routes.add(Routes.route("p" + i).host("app.example.com").path(c.paths().get(i)).build());
    }
    RouteSnapshot s = Routes.snapshot(routes);
    for (String path : c.requests()) {
      assertThat(matchName(s, req("app.example.com", path)))
          .as("request %s", path)
          .isEqualTo(c.expected());
    }
  }
}
