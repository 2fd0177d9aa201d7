package io.gatehouse.snapshot;

import static io.gatehouse.model.ValueMatchType.EXACT;
import static io.gatehouse.model.ValueMatchType.PRESENT;
import static io.gatehouse.model.ValueMatchType.REGULAR_EXPRESSION;
import static io.gatehouse.snapshot.Routes.matchName;
import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.Routes.Request;
import io.gatehouse.testing.TestRoutes.Builder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Host selection, path precedence and conditions, one named case per rule. */
class RouteSnapshotTest {

  record Case(List<RouteSpec> routes, Request request, String expected) {}

  private static Arguments row(String name, List<Builder> routes, Request r, String expected) {
    List<RouteSpec> specs = new ArrayList<>();
    for (Builder b : routes) {
      specs.add(b.build());
    }
    return Arguments.of(named(name, new Case(specs, r, expected)));
  }

  /** Exact host, wildcard, catch-all and a host whose only route is under /api. */
  private static List<Builder> hostLevels() {
    return List.of(
        route("exact-a").host("a.example.com").prefix("/"),
        route("wild").host("*.example.com").prefix("/"),
        route("catch-all").prefix("/"),
        route("exact-b-api").host("b.example.com").prefix("/api"),
        route("wild-api").host("*.api.test").prefix("/api"));
  }

  static Stream<Arguments> hosts() {
    return Stream.of(
        row("exact-host-before-wildcard", hostLevels(), req("a.example.com", "/x"), "exact-a"),
        row("wildcard-covers-one-label", hostLevels(), req("c.example.com", "/x"), "wild"),
        row(
            "wildcard-does-not-cover-the-apex",
            hostLevels(),
            req("example.com", "/x"),
            "catch-all"),
        row(
            "wildcard-does-not-cover-two-labels",
            hostLevels(),
            req("x.c.example.com", "/x"),
            "catch-all"),
        row("catch-all-serves-unknown-hosts", hostLevels(), req("other.org", "/"), "catch-all"),
        row("catch-all-serves-a-missing-host", hostLevels(), req(null, "/"), "catch-all"),
        row(
            "catch-all-serves-a-single-label-host",
            hostLevels(),
            req("localhost", "/"),
            "catch-all"),
        row(
            "exact-host-routes-its-paths",
            hostLevels(),
            req("b.example.com", "/api/v1"),
            "exact-b-api"),
        row(
            "no-fall-through-from-exact-host-to-wildcard-or-catch-all",
            hostLevels(),
            req("b.example.com", "/other"),
            null),
        row(
            "no-fall-through-from-wildcard-to-catch-all",
            hostLevels(),
            req("x.api.test", "/other"),
            null),
        row(
            "no-catch-all-means-no-match",
            List.of(route("only").host("a.example.com").prefix("/")),
            req("b.example.com", "/"),
            null),
        row(
            "a-route-serves-each-of-its-hosts",
            List.of(route("multi").host("a.test", "*.b.test").prefix("/")),
            req("x.b.test", "/"),
            "multi"),
        row(
            "configured-hosts-are-normalised-to-lower-case",
            List.of(route("upper").host("App.Example.COM").prefix("/")),
            req("app.example.com", "/"),
            "upper"));
  }

  static Stream<Arguments> paths() {
    return Stream.of(
        row(
            "paths-are-case-sensitive",
            List.of(route("foo").prefix("/Foo")),
            req("h.test", "/foo"),
            null),
        row(
            "request-root-matches-prefix-root",
            List.of(route("root").prefix("/"), route("foo").prefix("/foo")),
            req("h.test", "/"),
            "root"),
        row(
            "request-root-does-not-match-longer-prefix",
            List.of(route("foo").prefix("/foo")),
            req("h.test", "/"),
            null),
        row(
            "exact-root-matches-only-root",
            List.of(route("root").exact("/")),
            req("h.test", "/a"),
            null),
        row(
            "implementation-specific-acts-as-prefix",
            List.of(route("impl").implementationSpecific("/foo")),
            req("h.test", "/foo/bar"),
            "impl"),
        row(
            "implementation-specific-matches-whole-segments-only",
            List.of(route("impl").implementationSpecific("/foo")),
            req("h.test", "/foobar"),
            null),
        row(
            "longest-prefix-wins-over-priority",
            List.of(route("short").prefix("/a").priority(100), route("long").prefix("/a/b")),
            req("h.test", "/a/b/c"),
            "long"),
        row(
            "deep-prefix-falls-back-to-nearest-ancestor-with-routes",
            List.of(route("a").prefix("/a"), route("deep").prefix("/a/b/c/d")),
            req("h.test", "/a/b/c/x"),
            "a"),
        row(
            "regex-comes-after-prefix",
            List.of(route("rx").regex("/api/.*").priority(100), route("api").prefix("/api")),
            req("h.test", "/api/x"),
            "api"),
        row(
            "regex-comes-after-exact",
            List.of(route("rx").regex("/login").priority(100), route("login").exact("/login")),
            req("h.test", "/login"),
            "login"),
        row(
            "regex-answers-when-no-prefix-matches",
            List.of(route("rx").regex("/users/[0-9]+"), route("api").prefix("/api")),
            req("h.test", "/users/42"),
            "rx"),
        row(
            "regex-matches-the-whole-path-only",
            List.of(route("rx").regex("/users/[0-9]+")),
            req("h.test", "/users/42/edit"),
            null),
        row(
            "regex-order-priority-first",
            List.of(route("long").regex("/u/[0-9]+/?.*"), route("high").regex("/u/.*").priority(1)),
            req("h.test", "/u/1"),
            "high"),
        row(
            "regex-order-longer-expression-next",
            List.of(route("a-short").regex("/u/.*"), route("b-long").regex("/u/[0-9]+")),
            req("h.test", "/u/1"),
            "b-long"),
        row(
            "regex-order-route-key-last",
            List.of(route("b").regex("/u/[0-9]"), route("a").regex("/u/[1-9]")),
            req("h.test", "/u/1"),
            "a"));
  }

  static Stream<Arguments> conditions() {
    return Stream.of(
        row(
            "method-condition-holds",
            List.of(route("get").exact("/login").method("GET")),
            req("h.test", "/login"),
            "get"),
        row(
            "method-condition-fails",
            List.of(route("get").exact("/login").method("GET")),
            req("h.test", "/login").method("POST"),
            null),
        row(
            "any-listed-method-holds",
            List.of(route("rw").prefix("/").method("PUT", "POST")),
            req("h.test", "/x").method("POST"),
            "rw"),
        row(
            "exact-level-fails-falls-back-to-prefix",
            List.of(route("get").exact("/login").method("GET"), route("root").prefix("/")),
            req("h.test", "/login").method("POST"),
            "root"),
        row(
            "prefix-level-fails-falls-back-to-shorter-prefix",
            List.of(
                route("canary").prefix("/api/v1").header("x-env", EXACT, "canary"),
                route("api").prefix("/api")),
            req("h.test", "/api/v1/users"),
            "api"),
        row(
            "all-prefix-levels-fail-falls-back-to-regex",
            List.of(route("post").prefix("/api").method("POST"), route("rx").regex("/api/[a-z]+")),
            req("h.test", "/api/users"),
            "rx"),
        row(
            "no-level-holds-no-match",
            List.of(
                route("post").prefix("/api").method("POST"),
                route("rx").regex("/api/.*").method("DELETE")),
            req("h.test", "/api/users"),
            null),
        row(
            "header-exact-holds",
            List.of(route("h").prefix("/").header("X-Env", EXACT, "canary")),
            req("h.test", "/").header("x-env", "canary"),
            "h"),
        row(
            "header-exact-is-case-sensitive-in-value",
            List.of(route("h").prefix("/").header("x-env", EXACT, "canary")),
            req("h.test", "/").header("x-env", "Canary"),
            null),
        row(
            "header-regex-must-match-the-whole-value",
            List.of(route("h").prefix("/").header("x-ver", REGULAR_EXPRESSION, "v[0-9]")),
            req("h.test", "/").header("x-ver", "v12"),
            null),
        row(
            "header-regex-holds",
            List.of(route("h").prefix("/").header("x-ver", REGULAR_EXPRESSION, "v[0-9]+")),
            req("h.test", "/").header("x-ver", "v12"),
            "h"),
        row(
            "header-present-holds-with-empty-value",
            List.of(route("h").prefix("/").header("x-debug", PRESENT, null)),
            req("h.test", "/").header("x-debug", ""),
            "h"),
        row(
            "header-present-fails-when-missing",
            List.of(route("h").prefix("/").header("x-debug", PRESENT, null)),
            req("h.test", "/"),
            null),
        row(
            "query-exact-holds",
            List.of(route("q").prefix("/").query("tab", EXACT, "2")),
            req("h.test", "/").query("tab", "2"),
            "q"),
        row(
            "query-names-are-case-sensitive",
            List.of(route("q").prefix("/").query("tab", PRESENT, null)),
            req("h.test", "/").query("Tab", "2"),
            null),
        row(
            "query-regex-holds",
            List.of(route("q").prefix("/").query("id", REGULAR_EXPRESSION, "[0-9]+")),
            req("h.test", "/").query("id", "123"),
            "q"),
        row(
            "more-conditions-first-at-the-same-path",
            List.of(
                route("a-plain").prefix("/api"),
                route("z-canary").prefix("/api").header("x-env", EXACT, "canary")),
            req("h.test", "/api").header("x-env", "canary"),
            "z-canary"),
        row(
            "less-specific-route-when-its-sibling-fails",
            List.of(
                route("a-plain").prefix("/api"),
                route("z-canary").prefix("/api").header("x-env", EXACT, "canary")),
            req("h.test", "/api"),
            "a-plain"),
        row(
            "priority-beats-conditions",
            List.of(
                route("high").prefix("/api").priority(10),
                route("canary").prefix("/api").header("x-env", EXACT, "canary")),
            req("h.test", "/api").header("x-env", "canary"),
            "high"),
        row(
            "route-key-breaks-remaining-ties",
            List.of(route("b").prefix("/api"), route("a").prefix("/api")),
            req("h.test", "/api"),
            "a"),
        row(
            "priority-tie-break-on-exact-path",
            List.of(route("a").exact("/x"), route("b").exact("/x").priority(1)),
            req("h.test", "/x"),
            "b"));
  }

  @ParameterizedTest
  @MethodSource({"hosts", "paths", "conditions"})
  void each_case_matches_the_expected_route(Case c) {
    RouteSnapshot s = Routes.snapshot(c.routes());
    assertThat(s.problems()).isEmpty();
    assertThat(matchName(s, c.request())).as("%s", c.request()).isEqualTo(c.expected());
  }
}
