package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.testing.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {
  private static RouteSpec route(PolicySpec... policies) {
    return RouteSpec.simple(
            RouteKey.of("t", "api", "r"),
            List.of("a.example"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 8080, 1))))
        .withPolicies(List.of(policies));
  }

  private static List<Violation> violations(PolicySpec... policies) {
    Validated<RouteSpec> v = RouteValidator.validate(route(policies));
    return v.isValid() ? List.of() : v.violations();
  }

  @Test
  void every_kind_of_policy_has_a_rule() {
    assertThat(PolicyValidator.kinds())
        .containsExactlyInAnyOrder(PolicySpec.class.getPermittedSubclasses());
  }

  @Test
  void names_are_lower_cased_and_order_and_values_kept() {
    Map<String, String> set = new LinkedHashMap<>();
    set.put("X-Tenant", "Team A");
    set.put("x-b", "\tv  w ");
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(
                new RequestHeaders(set, Map.of("Via-GH", "1"), List.of("Cookie")),
                new ResponseHeaders(Map.of(), Map.of(), List.of("Server"))));
    assertThat(v.isValid()).as("%s", v).isTrue();
    RequestHeaders r = (RequestHeaders) v.value().policies().get(0);
    assertThat(r.set().keySet()).containsExactly("x-tenant", "x-b");
    assertThat(r.set()).containsEntry("x-tenant", "Team A").containsEntry("x-b", "\tv  w ");
    assertThat(r.add()).containsEntry("via-gh", "1");
    assertThat(r.remove()).containsExactly("cookie");
    assertThat(((ResponseHeaders) v.value().policies().get(1)).remove()).containsExactly("server");
  }

  @Test
  void a_route_without_policies_has_none() {
    assertThat(RouteValidator.validate(route()).value().policies()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Connection",
        "keep-alive",
        "X-Gatehouse-Mirror",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Proxy-Authorization",
        "proxy-connection",
        "Content-Length",
        "Expect",
        "Host",
        "Forwarded",
        "X-Forwarded-For",
        "x-forwarded-proto",
        "X-Real-IP",
        "X-Request-Id",
        "X-Client-Cert-Verified",
        "x-client-cert-subject"
      })
  void headers_gatehouse_owns_are_refused_in_set_add_and_remove(String name) {
    for (PolicySpec p :
        List.of(
            new RequestHeaders(Map.of(name, "v"), Map.of(), List.of()),
            new RequestHeaders(Map.of(), Map.of(name, "v"), List.of()),
            new ResponseHeaders(Map.of(), Map.of(), List.of(name)))) {
      assertThat(violations(p))
          .as(name)
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.value()).isEqualTo(name);
                assertThat(v.rule()).isEqualTo(PolicyValidator.RESERVED_RULE);
              });
    }
  }

  @Test
  void names_must_be_tokens() {
    assertThat(violations(new RequestHeaders(Map.of("bad name", "v"), Map.of(), List.of())))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("policies[0].set.bad name");
              assertThat(v.rule()).isEqualTo(PolicyValidator.NAME_RULE);
            });
    assertThat(violations(new ResponseHeaders(Map.of(), Map.of(), List.of("ok", "x:y"))))
        .singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("policies[0].remove[1]"));
    assertThat(violations(new ResponseHeaders(Map.of(), Map.of(), List.of("x".repeat(65)))))
        .hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\r\nx-injected: 1", "a\nb", "nul\0", "del\u007f"})
  void values_with_control_characters_are_refused_and_shown_escaped(String value) {
    assertThat(violations(new RequestHeaders(Map.of(), Map.of("x-a", value), List.of())))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("policies[0].add.x-a");
              assertThat(v.rule()).isEqualTo(PolicyValidator.VALUE_RULE);
              assertThat(v.value()).doesNotContain("\r", "\n", "\0");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "${client.address}",
        "for=${client.address}; id=${request.id}",
        "${route.tenant}/${route.name}",
        "$$5 and $${not.a.variable}",
        ""
      })
  void values_may_name_the_variables_and_are_kept_as_written(String value) {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(new RequestHeaders(Map.of("X-A", value), Map.of(), List.of())));
    assertThat(v.isValid()).as("%s", v).isTrue();
    assertThat(((RequestHeaders) v.value().policies().get(0)).set()).containsEntry("x-a", value);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "${nope}",
        "${Client.Address}",
        "a ${request.id",
        "$host",
        "cost: $5",
        "end$",
        "${tls.client.subject"
      })
  void a_stray_dollar_or_an_unknown_variable_is_refused_at_its_entry(String value) {
    assertThat(violations(new ResponseHeaders(Map.of(), Map.of("X-A", value), List.of())))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("policies[0].add.X-A");
              assertThat(v.rule()).startsWith(PolicyValidator.VARIABLE_RULE);
              assertThat(v.value()).isEqualTo(value);
            });
  }

  @Test
  void client_certificate_variables_need_a_route_that_verifies_client_certificates() {
    RequestHeaders subject =
        new RequestHeaders(
            Map.of("X-Subject", "${tls.client.subject}"),
            Map.of("x-cert", "sha256=${tls.client.sha256}"),
            List.of());
    assertThat(violations(subject))
        .extracting(Violation::field, Violation::rule)
        .containsExactlyInAnyOrder(
            tuple("policies[0].set.X-Subject", PolicyValidator.CLIENT_CERTIFICATE_VARIABLE_RULE),
            tuple("policies[0].add.x-cert", PolicyValidator.CLIENT_CERTIFICATE_VARIABLE_RULE));
    TlsSpec plain = TlsSpec.of(List.of(), "www");
    assertThat(RouteValidator.validate(route(subject).withTls(plain)).violations()).hasSize(2);
    for (ClientAuth auth :
        List.of(
            ClientAuth.optional(TestPki.ca("vars CA").caPem()),
            ClientAuth.required(TestPki.ca("vars CA").caPem()))) {
      Validated<RouteSpec> v =
          RouteValidator.validate(route(subject).withTls(plain.withClientAuth(auth)));
      assertThat(v.isValid()).as("%s %s", auth, v).isTrue();
    }
  }

  @Test
  void values_are_bounded() {
    String max = "v".repeat(PolicyValidator.MAX_VALUE_LENGTH);
    assertThat(violations(new RequestHeaders(Map.of("x-a", max), Map.of(), List.of()))).isEmpty();
    assertThat(violations(new RequestHeaders(Map.of("x-a", max + "v"), Map.of(), List.of())))
        .hasSize(1);
  }

  @Test
  void a_name_in_set_and_remove_is_refused_whatever_its_case() {
    assertThat(violations(new RequestHeaders(Map.of("X-A", "1"), Map.of(), List.of("x-a"))))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("policies[0].remove[0]");
              assertThat(v.rule()).isEqualTo(PolicyValidator.ONCE_RULE);
            });
    Map<String, String> twice = new HashMap<>();
    twice.put("X-A", "1");
    twice.put("x-a", "2");
    assertThat(violations(new RequestHeaders(twice, Map.of(), List.of()))).hasSize(1);
    assertThat(violations(new RequestHeaders(Map.of("x-a", "1"), Map.of("x-A", "2"), List.of())))
        .hasSize(1);
    // Two policies may name the same header: they run in order.
    assertThat(
            violations(
                new RequestHeaders(Map.of("x-a", "1"), Map.of(), List.of()),
                new RequestHeaders(Map.of(), Map.of(), List.of("x-a"))))
        .isEmpty();
  }

  @Test
  void counts_are_bounded_per_list_per_policy_count_and_per_route() {
    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i <= PolicyValidator.MAX_EDITS; i++) {
      many.put("x-" + i, "v");
    }
    assertThat(violations(new RequestHeaders(many, Map.of(), List.of())))
        .singleElement()
        .satisfies(v -> assertThat(v.rule()).isEqualTo("at most 16"));
    List<PolicySpec> tooMany = new ArrayList<>();
    for (int i = 0; i <= PolicyValidator.MAX_POLICIES; i++) {
      tooMany.add(new ResponseHeaders(Map.of(), Map.of(), List.of("x-a")));
    }
    assertThat(violations(tooMany.toArray(PolicySpec[]::new)))
        .singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("policies"));
    List<PolicySpec> heavy = new ArrayList<>();
    for (int p = 0; p < 5; p++) {
      Map<String, String> set = new LinkedHashMap<>();
      for (int i = 0; i < 16; i++) {
        set.put("x-" + i, "v");
      }
      heavy.add(new RequestHeaders(set, Map.of(), List.of()));
    }
    assertThat(violations(heavy.toArray(PolicySpec[]::new)))
        .singleElement()
        .satisfies(v -> assertThat(v.rule()).isEqualTo("at most 64 in all"));
    assertThat(Set.copyOf(heavy).size()).isEqualTo(1); // equal records: one shape repeated
  }

  // ---------------------------------------------------------------- RequestRedirect, URLRewrite

  private static List<String> rules(PolicySpec p) {
    return violations(p).stream().map(v -> v.field() + ": " + v.rule()).toList();
  }

  private static RouteSpec onPaths(List<PathMatch> paths, PolicySpec p) {
    return RouteSpec.simple(
            RouteKey.of("t", "api", "r"),
            List.of("a.example"),
            paths,
            BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 8080, 1))))
        .withPolicies(List.of(p));
  }

  @Test
  void a_redirect_is_normalised_scheme_lower_case_host_lower_case_and_kept_otherwise() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(
                RequestRedirect.of(
                    "HTTPS", "WWW.Example.com", 8443, PathModifier.prefixMatch("/v2/"), 301)));
    assertThat(v.isValid()).as("%s", v).isTrue();
    assertThat(v.value().policies())
        .containsExactly(
            RequestRedirect.of(
                "https", "www.example.com", 8443, PathModifier.prefixMatch("/v2/"), 301));
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void every_redirect_status_of_the_issue_is_accepted(int status) {
    assertThat(violations(RequestRedirect.of("https", null, null, null, status))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 200, 300, 304, 305, 306, 309, 404})
  void other_redirect_statuses_are_refused(int status) {
    assertThat(rules(RequestRedirect.of("https", null, null, null, status)))
        .containsExactly("policies[0].statusCode: " + PolicyValidator.STATUS_RULE);
  }

  @Test
  void redirect_parts_are_checked_each_at_its_field() {
    assertThat(rules(RequestRedirect.of("ftp", null, null, null, 302)))
        .containsExactly("policies[0].scheme: http or https");
    assertThat(rules(RequestRedirect.of(null, null, 0, null, 302)))
        .containsExactly("policies[0].port: " + PolicyValidator.PORT_RULE);
    assertThat(rules(RequestRedirect.of(null, null, 65536, null, 302)))
        .containsExactly("policies[0].port: " + PolicyValidator.PORT_RULE);
    assertThat(rules(RequestRedirect.of(null, "*.example.com", null, null, 302)))
        .containsExactly("policies[0].hostname: a precise host name without port or '*'");
    assertThat(rules(RequestRedirect.of(null, "a.example:80", null, null, 302)))
        .containsExactly("policies[0].hostname: a precise host name without port or '*'");
    assertThat(violations(RequestRedirect.of(null, "bad_host!", null, null, 302)))
        .singleElement()
        .satisfies(x -> assertThat(x.field()).isEqualTo("policies[0].hostname"));
    // only a status: the request's own URL (Gateway API's 303/307/308 conformance tests)
    assertThat(rules(RequestRedirect.of(null, null, null, null, 303))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "v2",
        "/a/../b",
        "/a/./b",
        "/a//b",
        "/..",
        "/a b",
        "/a?b",
        "/a#b",
        "/a\r\nSet-Cookie:x",
        "/%2e%2e",
        "/%41",
        "/%2f",
        "/%zz",
        "/caf\u00e9",
        "/a\"b",
        "/<script>"
      })
  void a_full_path_that_is_not_a_normalised_target_is_refused(String path) {
    assertThat(rules(RequestRedirect.of(null, null, null, PathModifier.fullPath(path), 302)))
        .containsExactly("policies[0].path.replaceFullPath: " + TargetPaths.PATH_RULE);
    assertThat(rules(URLRewrite.of(null, PathModifier.fullPath(path))))
        .containsExactly("policies[0].path.replaceFullPath: " + TargetPaths.PATH_RULE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a/b/", "/a/%2F/b", "/a:b@c;d=e,f!$&'()*+", "/~user/-._"})
  void a_normalised_full_path_is_accepted(String path) {
    assertThat(violations(URLRewrite.of(null, PathModifier.fullPath(path)))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/", "/v2", "/v2/"})
  void a_prefix_replacement_may_strip_or_end_in_a_slash(String value) {
    assertThat(violations(URLRewrite.of(null, PathModifier.prefixMatch(value)))).isEmpty();
  }

  @Test
  void a_prefix_replacement_is_refused_on_a_route_with_an_exact_or_regex_path() {
    PolicySpec p = URLRewrite.of(null, PathModifier.prefixMatch("/v2"));
    Validated<RouteSpec> exact =
        RouteValidator.validate(onPaths(List.of(PathMatch.prefix("/a"), PathMatch.exact("/b")), p));
    assertThat(exact.violations())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.field()).isEqualTo("policies[0].path.type");
              assertThat(x.rule()).isEqualTo(PolicyValidator.PREFIX_MATCH_RULE);
            });
    assertThat(RouteValidator.validate(onPaths(List.of(PathMatch.regex("/a/.*")), p)).isValid())
        .isFalse();
    assertThat(
            RouteValidator.validate(
                    onPaths(
                        List.of(PathMatch.exact("/b")),
                        URLRewrite.of(null, PathModifier.fullPath("/c"))))
                .isValid())
        .isTrue();
  }

  @Test
  void a_fixed_url_is_alone_absolute_http_and_free_of_user_info_and_fragment() {
    assertThat(violations(RequestRedirect.to("https://example.com/new?a=1", 301))).isEmpty();
    assertThat(violations(RequestRedirect.to("http://10.0.0.1:8080", 307))).isEmpty();
    for (String bad :
        List.of(
            "/relative",
            "ftp://example.com/",
            "https://user@example.com/",
            "https://example.com/#x",
            "https://example.com/a b",
            "https://example.com/\r\nx: y",
            "https:///path",
            "javascript:alert(1)")) {
      assertThat(rules(RequestRedirect.to(bad, 301)))
          .as(bad)
          .containsExactly("policies[0].url: " + PolicyValidator.URL_RULE);
    }
    assertThat(
            rules(
                new RequestRedirect("https", null, null, null, 301, "https://example.com/", false)))
        .containsExactly("policies[0].url: " + PolicyValidator.URL_ALONE_RULE);
  }

  @Test
  void redirect_and_rewrite_are_not_both_on_one_route_and_each_once() {
    PolicySpec redirect = RequestRedirect.of("https", null, null, null, 302);
    PolicySpec rewrite = URLRewrite.of("b.example", null);
    assertThat(violations(redirect, rewrite))
        .singleElement()
        .satisfies(x -> assertThat(x.rule()).isEqualTo(PolicyValidator.REDIRECT_AND_REWRITE_RULE));
    assertThat(violations(rewrite, rewrite)).hasSize(1);
    assertThat(violations(rewrite, new RequestHeaders(Map.of("x-a", "1"), Map.of(), List.of())))
        .isEmpty();
  }

  @Test
  void a_regex_rewrite_needs_an_re2_pattern_and_a_substitution_naming_its_groups() {
    assertThat(violations(regex("^/api(/|$)(.*)", "/$2"))).isEmpty();
    assertThat(violations(regex("^/u/(?P<id>[0-9]+)", "/users/${id}/${1}$$"))).isEmpty();
    assertThat(rules(regex("^/a(?=b)", "/x")))
        .singleElement()
        .satisfies(
            r -> assertThat(r).startsWith("policies[0].regex.pattern: an RE2 regular expression"));
    assertThat(rules(regex("(a)\\1", "/x"))).hasSize(1);
    assertThat(rules(regex("^/a(.*)", "/$2")))
        .singleElement()
        .satisfies(r -> assertThat(r).contains("$2: the pattern has 1 group"));
    assertThat(rules(regex("^/a(.*)", "/${nope}")))
        .singleElement()
        .satisfies(r -> assertThat(r).contains("${nope}: the pattern has no such group"));
    assertThat(rules(regex("^/a(.*)", "/x$"))).hasSize(1);
    assertThat(rules(regex("^/a(.*)", "x$1")))
        .containsExactly("policies[0].regex.substitution: " + PolicyValidator.SUBSTITUTION_RULE);
    assertThat(rules(regex("^/a(.*)", "/x?y=$1")))
        .containsExactly("policies[0].regex.substitution: " + PolicyValidator.SUBSTITUTION_RULE);
    assertThat(rules(regex("^/a(.*)", "/x y$1")))
        .containsExactly("policies[0].regex.substitution: " + PolicyValidator.SUBSTITUTION_RULE);
    assertThat(rules(new URLRewrite(null, null, "^/a", null, false, null)))
        .containsExactly("policies[0].regex.substitution: regex and substitution together");
    assertThat(rules(new URLRewrite(null, PathModifier.fullPath("/x"), "^/a", "/b", false, null)))
        .containsExactly("policies[0].regex: " + PolicyValidator.REGEX_OR_PATH_RULE);
  }

  @Test
  void a_rewrite_changes_something_and_its_forwarded_prefix_is_header_text() {
    assertThat(rules(URLRewrite.of(null, null)))
        .containsExactly("policies[0]: " + PolicyValidator.REWRITE_EMPTY_RULE);
    assertThat(violations(new URLRewrite(null, null, null, null, true, null))).isEmpty();
    assertThat(violations(new URLRewrite(null, null, null, null, false, "/api"))).isEmpty();
    assertThat(rules(new URLRewrite(null, null, null, null, false, "/a\r\nx: y")))
        .containsExactly("policies[0].forwardedPrefix: " + PolicyValidator.VALUE_RULE);
    assertThat(rules(URLRewrite.of("*.example.com", null)))
        .containsExactly("policies[0].hostname: a precise host name without port or '*'");
    assertThat(
            ((URLRewrite)
                    RouteValidator.validate(route(URLRewrite.of("Backend.Example", null)))
                        .value()
                        .policies()
                        .get(0))
                .hostname())
        .isEqualTo("backend.example");
  }

  private static URLRewrite regex(String pattern, String substitution) {
    return new URLRewrite(null, null, pattern, substitution, false, null);
  }

  // ---------------------------------------------------------------- Compression

  private static Compression compression(
      List<String> algorithms, List<String> types, long minBytes, Map<String, Integer> levels) {
    return new Compression(algorithms, types, minBytes, levels);
  }

  private static String fields(List<Violation> vs) {
    StringBuilder b = new StringBuilder();
    for (Violation v : vs) {
      b.append(v.field()).append(' ');
    }
    return b.toString().trim();
  }

  @Test
  void compression_is_lower_cased_and_keeps_order_levels_and_minimum() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(
                compression(
                    List.of("GZIP", "Br"),
                    List.of("Text/*", "application/JSON"),
                    0,
                    Map.of("Gzip", 9, "br", 11))));
    assertThat(v.isValid()).as("%s", v).isTrue();
    Compression c = (Compression) v.value().policies().get(0);
    assertThat(c.algorithms()).containsExactly("gzip", "br");
    assertThat(c.contentTypes()).containsExactly("text/*", "application/json");
    assertThat(c.minBytes()).isZero();
    assertThat(c.level("gzip")).isEqualTo(9);
    assertThat(c.level("br")).isEqualTo(11);
    assertThat(RouteValidator.validate(route(Compression.defaults())).isValid()).isTrue();
    Validated<RouteSpec> repeated =
        RouteValidator.validate(
            route(compression(List.of("gzip"), List.of("text/html", "TEXT/HTML"), 0, Map.of())));
    assertThat(((Compression) repeated.value().policies().get(0)).contentTypes())
        .as("a repeated type is kept once")
        .containsExactly("text/html");
    assertThat(Compression.defaults().level("gzip")).isEqualTo(6);
    assertThat(Compression.defaults().level("br")).isEqualTo(4);
  }

  @Test
  void zstd_is_served_when_listed_at_levels_1_to_9_and_defaults_to_3() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(
                compression(
                    List.of("ZSTD", "br", "gzip"), List.of("text/*"), 0, Map.of("Zstd", 9))));
    assertThat(v.isValid()).as("%s", v).isTrue();
    Compression c = (Compression) v.value().policies().get(0);
    assertThat(c.algorithms()).containsExactly("zstd", "br", "gzip");
    assertThat(c.level("zstd")).isEqualTo(9);
    assertThat(violations(compression(List.of("zstd"), List.of("text/*"), 0, Map.of("zstd", 1))))
        .isEmpty();
    assertThat(Compression.defaults().level("zstd")).isEqualTo(3);
    assertThat(Compression.defaults().algorithms())
        .as("zstd is asked for by name; the defaults are unchanged")
        .containsExactly("br", "gzip");
  }

  @Test
  void compression_refuses_what_it_cannot_encode_rather_than_drop_it() {
    List<String> types = List.of("text/html");
    record Case(String name, Compression policy, String field) {}
    List<Case> cases =
        List.of(
            new Case(
                "a fourth algorithm",
                compression(List.of("br", "zstd", "gzip", "deflate"), types, 0, Map.of()),
                "policies[0].algorithms"),
            new Case(
                "deflate is not offered",
                compression(List.of("deflate"), types, 0, Map.of()),
                "policies[0].algorithms[0]"),
            new Case(
                "identity is no algorithm",
                compression(List.of("identity"), types, 0, Map.of()),
                "policies[0].algorithms[0]"),
            new Case(
                "an algorithm twice",
                compression(List.of("gzip", "GZIP"), types, 0, Map.of()),
                "policies[0].algorithms[1]"),
            new Case(
                "no algorithm",
                compression(List.of(), types, 0, Map.of()),
                "policies[0].algorithms"),
            new Case(
                "no content type",
                compression(List.of("gzip"), List.of(), 0, Map.of()),
                "policies[0].contentTypes"),
            new Case(
                "every type",
                compression(List.of("gzip"), List.of("*/*"), 0, Map.of()),
                "policies[0].contentTypes[0]"),
            new Case(
                "a type with parameters",
                compression(List.of("gzip"), List.of("text/html; charset=utf-8"), 0, Map.of()),
                "policies[0].contentTypes[0]"),
            new Case(
                "a subtype wildcard that is not whole",
                compression(List.of("gzip"), List.of("application/*+json"), 0, Map.of()),
                "policies[0].contentTypes[0]"),
            new Case(
                "a negative minimum",
                compression(List.of("gzip"), types, -1, Map.of()),
                "policies[0].minBytes"),
            new Case(
                "a minimum over 1 GiB",
                compression(List.of("gzip"), types, (1L << 30) + 1, Map.of()),
                "policies[0].minBytes"),
            new Case(
                "gzip level 0",
                compression(List.of("gzip"), types, 0, Map.of("gzip", 0)),
                "policies[0].levels.gzip"),
            new Case(
                "gzip level 10",
                compression(List.of("gzip"), types, 0, Map.of("gzip", 10)),
                "policies[0].levels.gzip"),
            new Case(
                "br level 12",
                compression(List.of("br"), types, 0, Map.of("br", 12)),
                "policies[0].levels.br"),
            new Case(
                "zstd level 0",
                compression(List.of("zstd"), types, 0, Map.of("zstd", 0)),
                "policies[0].levels.zstd"),
            new Case(
                "zstd level 10 (a route's responses would hold tens of MiB each)",
                compression(List.of("zstd"), types, 0, Map.of("zstd", 10)),
                "policies[0].levels.zstd"),
            new Case(
                "a negative zstd level",
                compression(List.of("zstd"), types, 0, Map.of("zstd", -5)),
                "policies[0].levels.zstd"),
            new Case(
                "a level of an algorithm not listed",
                compression(List.of("gzip"), types, 0, Map.of("br", 4)),
                "policies[0].levels.br"));
    for (Case c : cases) {
      assertThat(fields(violations(c.policy()))).as(c.name()).isEqualTo(c.field());
    }
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= PolicyValidator.MAX_CONTENT_TYPES; i++) {
      many.add("text/t" + i);
    }
    assertThat(fields(violations(compression(List.of("gzip"), many, 0, Map.of()))))
        .isEqualTo("policies[0].contentTypes");
    assertThat(violations(compression(List.of("gzip"), many.subList(0, 32), 0, Map.of())))
        .isEmpty();
    assertThat(violations(compression(List.of("gzip"), types, 1L << 30, Map.of("gzip", 1))))
        .isEmpty();
    assertThat(violations(compression(List.of("br"), types, 0, Map.of("br", 0)))).isEmpty();
  }

  @Test
  void compression_counts_no_header_edits() {
    List<PolicySpec> policies = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Map<String, String> set = new HashMap<>();
      for (int j = 0; j < 16; j++) {
        set.put("x-" + i + "-" + j, "v");
      }
      policies.add(new RequestHeaders(set, Map.of(), List.of()));
    }
    policies.add(Compression.defaults());
    assertThat(violations(policies.toArray(new PolicySpec[0]))).isEmpty();
  }

  // ---- SessionPersistence

  private static SessionPersistence session(
      String name, Duration timeout, String path, Boolean secure, String sameSite) {
    return new SessionPersistence(name, timeout, path, secure, sameSite);
  }

  @Test
  void a_session_cookie_is_accepted_and_same_site_canonicalised() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(session("gh-split", Duration.ofDays(400), "/app", true, "none")));
    assertThat(v.isValid()).as("%s", v).isTrue();
    assertThat(v.value().policies())
        .containsExactly(session("gh-split", Duration.ofDays(400), "/app", true, "None"));
    assertThat(violations(SessionPersistence.cookie("S"))).isEmpty();
    assertThat(violations(session("s", Duration.ofSeconds(1), "/", false, "Strict"))).isEmpty();
  }

  @Test
  void a_session_cookie_refuses_what_a_browser_would_not_keep_or_send() {
    record Case(String name, SessionPersistence policy, String field) {}
    List<Case> cases =
        List.of(
            new Case("no name", session("", null, null, null, null), "policies[0].sessionName"),
            new Case(
                "a name with a space",
                session("a b", null, null, null, null),
                "policies[0].sessionName"),
            new Case(
                "a name with '='",
                session("a=b", null, null, null, null),
                "policies[0].sessionName"),
            new Case(
                "a name of 65 characters",
                session("n".repeat(65), null, null, null, null),
                "policies[0].sessionName"),
            new Case(
                "a zero lifetime",
                session("s", Duration.ZERO, null, null, null),
                "policies[0].absoluteTimeout"),
            new Case(
                "a negative lifetime",
                session("s", Duration.ofSeconds(-1), null, null, null),
                "policies[0].absoluteTimeout"),
            new Case(
                "a lifetime in part of a second",
                session("s", Duration.ofMillis(1500), null, null, null),
                "policies[0].absoluteTimeout"),
            new Case(
                "a lifetime over 400 days",
                session("s", Duration.ofDays(400).plusSeconds(1), null, null, null),
                "policies[0].absoluteTimeout"),
            new Case("a relative path", session("s", null, "app", null, null), "policies[0].path"),
            new Case(
                "a path ending the cookie",
                session("s", null, "/a;b", null, null),
                "policies[0].path"),
            new Case(
                "a path with a space", session("s", null, "/a b", null, null), "policies[0].path"),
            new Case(
                "an unknown SameSite",
                session("s", null, null, null, "Loose"),
                "policies[0].sameSite"),
            new Case(
                "SameSite None without Secure",
                session("s", null, null, null, "None"),
                "policies[0].secure"),
            new Case(
                "SameSite None with Secure off",
                session("s", null, null, false, "None"),
                "policies[0].secure"));
    for (Case c : cases) {
      assertThat(fields(violations(c.policy()))).as(c.name()).isEqualTo(c.field());
    }
  }

  @Test
  void a_route_has_at_most_one_session_cookie() {
    assertThat(fields(violations(SessionPersistence.cookie("a"), SessionPersistence.cookie("b"))))
        .isEqualTo("policies");
  }

  // ---- RequestMirror

  private static final BackendSpec SHADOW =
      BackendSpec.http1(List.of(new Endpoint("10.0.0.7", 8080, 1)));

  private static RequestMirror mirror(
      BackendRef ref, int numerator, int denominator, String host, long maxBody, int inFlight) {
    return new RequestMirror(ref, numerator, denominator, host, true, maxBody, inFlight);
  }

  @Test
  void a_mirror_keeps_its_share_and_limits_and_lower_cases_its_host() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(
                mirror(SHADOW, 1, 1000, "Shadow.Example", 64 * 1024, 10),
                RequestMirror.of(new BackendRef.Named("shadow-pool")),
                RequestMirror.of(
                    new BackendRef.ServicePort("shadow", 8080, null, UpstreamProtocol.H2C, null))));
    assertThat(v.isValid()).as("%s", v).isTrue();
    RequestMirror m = (RequestMirror) v.value().policies().get(0);
    assertThat(m.hostname()).isEqualTo("shadow.example");
    assertThat(m.numerator()).isEqualTo(1);
    assertThat(m.denominator()).isEqualTo(1000);
    assertThat(m.maxBodyBytes()).isEqualTo(64 * 1024);
    assertThat(m.maxInFlight()).isEqualTo(10);
    assertThat(m.backendRef()).isEqualTo(SHADOW);
    RequestMirror d = (RequestMirror) v.value().policies().get(1);
    assertThat(d.inPercent()).isTrue();
    assertThat(d.numerator()).isEqualTo(100);
    assertThat(d.maxBodyBytes()).isEqualTo(RequestMirror.DEFAULT_MAX_BODY_BYTES);
    assertThat(d.maxInFlight()).isEqualTo(RequestMirror.DEFAULT_MAX_IN_FLIGHT);
  }

  @Test
  void a_mirror_refuses_a_share_a_backend_or_a_limit_it_cannot_honour() {
    record Case(String name, PolicySpec policy, String field) {}
    List<Case> cases =
        List.of(
            new Case(
                "more than every request",
                mirror(SHADOW, 3, 2, null, 1024, 1),
                "policies[0].fraction.numerator"),
            new Case(
                "a percentage over 100",
                mirror(SHADOW, 101, 100, null, 1024, 1),
                "policies[0].percent"),
            new Case(
                "a negative percentage",
                mirror(SHADOW, -1, 100, null, 1024, 1),
                "policies[0].percent"),
            new Case(
                "a denominator of 0",
                mirror(SHADOW, 0, 0, null, 1024, 1),
                "policies[0].fraction.denominator"),
            new Case(
                "a denominator over a million",
                mirror(SHADOW, 1, 1_000_001, null, 1024, 1),
                "policies[0].fraction.denominator"),
            new Case(
                "a negative body limit",
                mirror(SHADOW, 1, 100, null, -1, 1),
                "policies[0].maxBodyBytes"),
            new Case(
                "a body limit over 10 MiB",
                mirror(SHADOW, 1, 100, null, (10L << 20) + 1, 1),
                "policies[0].maxBodyBytes"),
            new Case(
                "no place in flight",
                mirror(SHADOW, 1, 100, null, 1024, 0),
                "policies[0].maxInFlight"),
            new Case(
                "more than 10000 in flight",
                mirror(SHADOW, 1, 100, null, 1024, 10_001),
                "policies[0].maxInFlight"),
            new Case(
                "no endpoint to copy to",
                RequestMirror.of(BackendSpec.http1(List.of())),
                "policies[0].backendRef.endpoints"),
            new Case(
                "an endpoint without a host",
                RequestMirror.of(BackendSpec.http1(List.of(new Endpoint("bad host", 80, 1)))),
                "policies[0].backendRef.endpoints[0].host"),
            new Case(
                "h2 without TLS",
                RequestMirror.of(
                    new BackendSpec(
                        UpstreamProtocol.H2, List.of(new Endpoint("10.0.0.7", 8443, 1)))),
                "policies[0].backendRef.protocol"),
            new Case(
                "a named backend with a bad name",
                RequestMirror.of(new BackendRef.Named("Bad Name")),
                "policies[0].backendRef.name"),
            new Case(
                "a wildcard host",
                mirror(SHADOW, 1, 100, "*.example.com", 1024, 1),
                "policies[0].hostname"),
            new Case(
                "a host with a port",
                mirror(SHADOW, 1, 100, "a.example:80", 1024, 1),
                "policies[0].hostname"));
    for (Case c : cases) {
      assertThat(fields(violations(c.policy()))).as(c.name()).isEqualTo(c.field());
    }
    assertThat(violations(mirror(SHADOW, 0, 100, null, 0, 1))).as("nothing, bodyless").isEmpty();
    assertThat(violations(mirror(SHADOW, 1_000_000, 1_000_000, null, 10L << 20, 10_000)))
        .as("the bounds")
        .isEmpty();
  }

  @Test
  void a_route_takes_at_most_four_mirrors() {
    PolicySpec m = RequestMirror.of(SHADOW);
    assertThat(violations(m, m, m, m)).isEmpty();
    assertThat(fields(violations(m, m, m, m, m))).isEqualTo("policies");
  }
}
