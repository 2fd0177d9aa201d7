package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.PathMatch;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.URLRewrite;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class URLRewriteFilterTest {
  private static final List<PathMatch> API = List.of(PathMatch.prefix("/api"));

  private static FakeRequest request(String path, String query) {
    FakeRequest r = FakeRequest.plain("a.example", path);
    r.query = query;
    return r;
  }

  private static String target(URLRewrite spec, List<PathMatch> paths, String path, String query) {
    FakeRequest r = request(path, query);
    assertThat(new URLRewriteFilter(spec, paths).admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    return r.upstreamTarget;
  }

  @ParameterizedTest(name = "{0}{1} -> {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "/api/x   | q=1   | /v2  | /v2/x?q=1",
        "/api     | -     | /v2  | /v2",
        "/api/    | a&b=c | /v2/ | /v2/?a&b=c",
        "/api/x/y | -     | /    | /x/y",
        "/api     | q=1   | /    | /?q=1",
        "/api/a%2Fb%20 | x=%25 | /v2 | /v2/a%2Fb%20?x=%25",
      })
  void a_prefix_replacement_keeps_the_query_and_encoded_characters(
      String path, String query, String replacement, String expected) {
    assertThat(target(URLRewrite.of(null, PathModifier.prefixMatch(replacement)), API, path, query))
        .isEqualTo(expected);
  }

  @Test
  void the_client_target_is_kept_when_nothing_changes_it() {
    assertThat(target(URLRewrite.of("b.example", null), API, "/api/x", "q=1")).isNull();
    assertThat(target(URLRewrite.of(null, PathModifier.fullPath("/api/x")), API, "/api/x", null))
        .as("the same text is no change")
        .isNull();
  }

  @Test
  void a_full_path_replacement_and_a_dropped_query() {
    assertThat(target(URLRewrite.of(null, PathModifier.fullPath("/health")), API, "/api/x", "a=1"))
        .isEqualTo("/health?a=1");
    assertThat(
            target(
                new URLRewrite(null, PathModifier.fullPath("/health"), null, null, true, null),
                API,
                "/api/x",
                "a=1"))
        .isEqualTo("/health");
    assertThat(target(new URLRewrite(null, null, null, null, true, null), API, "/api/x", "a=1"))
        .isEqualTo("/api/x");
    assertThat(target(new URLRewrite(null, null, null, null, true, null), API, "/api/x", null))
        .isNull();
  }

  @ParameterizedTest(name = "{0} ~ {1} -> {2} on {3}")
  @CsvSource(
      delimiter = ';',
      nullValues = "-",
      value = {
        "^/api(/|$)(.*)          ; /$2              ; /api/a/b   ; /a/b",
        "^/api(/|$)(.*)          ; /$2              ; /api       ; /",
        "^/api(/|$)(.*)          ; /$2              ; /apix      ; -",
        "/something(/|$)(.*)     ; /$2              ; /something/new ; /new",
        "^/u/(?P<id>[0-9]+)$     ; /users/${id}     ; /u/42      ; /users/42",
        "^/u/(?P<id>[0-9]+)$     ; /users/${id}     ; /u/x       ; -",
        "^/(a)?b                 ; /x$1y            ; /b         ; /xy",
        "^/p                     ; /price$$         ; /p         ; /price$",
        "^/api                   ; /                ; /api/x/y   ; /",
      })
  void a_regex_replaces_the_whole_path_when_it_matches_as_nginx_rewrite(
      String regex, String substitution, String path, String expected) {
    assertThat(
            target(new URLRewrite(null, null, regex, substitution, false, null), API, path, null))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ~ {1} on {2}")
  @CsvSource(
      delimiter = ';',
      value = {
        "^/f/(.*)/(.*)$   ; /$1$2      ; /f/./.",
        "^/f/(.*)$        ; /x/$1/..   ; /f/a",
        "^/f/(.*)$        ; /$1/       ; /f/",
        "^/(.*)$          ; $1         ; /x",
        "^/f/(.*)$        ; /x//$1     ; /f/a",
      })
  void a_regex_result_that_is_not_a_normalised_target_is_answered_400_not_sent(
      String regex, String substitution, String path) {
    FakeRequest r = request(path, null);
    URLRewriteFilter f =
        new URLRewriteFilter(new URLRewrite(null, null, regex, substitution, false, null), API);
    assertThat(f.admit(r)).isEqualTo(400);
    assertThat(r.upstreamTarget).isNull();
  }

  @Test
  void the_host_is_set_for_every_attempt_without_a_port() {
    FakeRequest r = request("/api/x", null);
    new URLRewriteFilter(URLRewrite.of("backend.internal", null), API).admit(r);
    assertThat(r.upstreamHost).isEqualTo("backend.internal");
  }

  @Test
  void x_forwarded_prefix_is_sent_when_a_prefix_is_stripped_or_given() {
    FakeRequest r = request("/api/x", null);
    URLRewriteFilter strip =
        new URLRewriteFilter(URLRewrite.of(null, PathModifier.prefixMatch("/")), API);
    assertThat(strip.editsHeaders()).isTrue();
    strip.onUpstreamRequest(r, r);
    assertThat(r.editName).isEqualTo("x-forwarded-prefix");
    assertThat(r.editValue).isEqualTo("/api");

    URLRewriteFilter replace =
        new URLRewriteFilter(URLRewrite.of(null, PathModifier.prefixMatch("/v2")), API);
    assertThat(replace.editsHeaders()).as("a replacement is not a strip").isFalse();

    URLRewriteFilter given =
        new URLRewriteFilter(new URLRewrite(null, null, null, null, true, "/shop"), API);
    FakeRequest g = request("/api/x", null);
    given.onUpstreamRequest(g, g);
    assertThat(g.editValue).isEqualTo("/shop");

    URLRewriteFilter root =
        new URLRewriteFilter(
            URLRewrite.of(null, PathModifier.prefixMatch("")), List.of(PathMatch.prefix("/")));
    FakeRequest n = request("/x", null);
    root.onUpstreamRequest(n, n);
    assertThat(n.edits).as("nothing was stripped from /").isZero();
  }
}
