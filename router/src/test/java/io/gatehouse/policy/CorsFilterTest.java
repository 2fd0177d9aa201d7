package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.policy.Cors;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CorsFilterTest {
  private static final String APP = "https://app.example";

  /** Origins exact, methods GET and PUT, two headers, one exposed, no credentials, 600 s. */
  private static final Cors LISTED =
      new Cors(
          List.of(APP, "http://localhost:3000"),
          List.of(),
          List.of("GET", "PUT"),
          List.of("content-type", "x-token"),
          List.of("x-request-id"),
          false,
          600);

  private static final Cors CREDENTIALED =
      new Cors(List.of(APP), List.of(), List.of("PUT"), List.of("x-token"), List.of(), true, 5);

  private static final Cors ANY =
      new Cors(List.of("*"), List.of(), List.of("*"), List.of("*"), List.of("*"), false, 5);

  private static final Cors ANY_METHOD_AND_HEADER_WITH_CREDENTIALS =
      new Cors(List.of(APP), List.of(), List.of("*"), List.of("*"), List.of(), true, 5);

  private static final Cors WILDCARD =
      new Cors(
          List.of("https://*.example.com", "https://*.dev.example:8443"),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          false,
          5);

  private static final Cors PATTERN =
      new Cors(
          List.of(),
          List.of("https://[a-z0-9-]+\\.example\\.org", "https://pr-[0-9]+\\.preview\\.example"),
          List.of(),
          List.of(),
          List.of(),
          false,
          5);

  record Preflight(
      String name,
      Cors spec,
      String method,
      Map<String, String> headers,
      int verdict,
      Map<String, String> answer) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Map<String, String> h(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static Preflight allowed(
      String name, Cors spec, Map<String, String> request, Map<String, String> answer) {
    return new Preflight(name, spec, "OPTIONS", request, CorsFilter.PREFLIGHT, answer);
  }

  private static Preflight denied(String name, Cors spec, Map<String, String> request) {
    Map<String, String> vary = Cors.any(spec.allowOrigins()) ? h() : h("vary", "Origin");
    return new Preflight(name, spec, "OPTIONS", request, CorsFilter.PREFLIGHT, vary);
  }

  private static Preflight proceeds(
      String name, Cors spec, String method, Map<String, String> request) {
    return new Preflight(name, spec, method, request, AdmissionFilter.PROCEED, h());
  }

  static Stream<Preflight> preflights() {
    Map<String, String> listedAnswer =
        h(
            "vary", "Origin",
            "access-control-allow-origin", APP,
            "access-control-allow-methods", "GET, PUT",
            "access-control-allow-headers", "content-type, x-token",
            "access-control-max-age", "600",
            "access-control-expose-headers", "x-request-id");
    return Stream.of(
        allowed(
            "listed-origin-method-and-headers-get-every-header",
            LISTED,
            h(
                "origin",
                APP,
                "access-control-request-method",
                "PUT",
                "access-control-request-headers",
                "content-type,x-token"),
            listedAnswer),
        allowed(
            "origin-compares-case-insensitively-and-is-echoed-as-sent",
            LISTED,
            h("origin", "HTTPS://App.Example", "access-control-request-method", "PUT"),
            h(
                "vary", "Origin",
                "access-control-allow-origin", "HTTPS://App.Example",
                "access-control-allow-methods", "GET, PUT",
                "access-control-allow-headers", "content-type, x-token",
                "access-control-max-age", "600",
                "access-control-expose-headers", "x-request-id")),
        allowed(
            "header-names-compare-case-insensitively-with-spaces-and-empty-items",
            LISTED,
            h(
                "origin",
                APP,
                "access-control-request-method",
                "GET",
                "access-control-request-headers",
                " Content-Type ,, X-TOKEN "),
            listedAnswer),
        allowed(
            "safelisted-methods-are-always-allowed",
            CREDENTIALED,
            h("origin", APP, "access-control-request-method", "POST"),
            h(
                "vary", "Origin",
                "access-control-allow-origin", APP,
                "access-control-allow-credentials", "true",
                "access-control-allow-methods", "PUT",
                "access-control-allow-headers", "x-token",
                "access-control-max-age", "5")),
        denied(
            "origin-not-listed-gets-no-cors-headers",
            LISTED,
            h("origin", "https://evil.example", "access-control-request-method", "PUT")),
        denied(
            "origin-must-match-its-port",
            LISTED,
            h("origin", "http://localhost:3001", "access-control-request-method", "GET")),
        denied(
            "method-not-listed-gets-no-cors-headers",
            LISTED,
            h("origin", APP, "access-control-request-method", "DELETE")),
        denied(
            "methods-are-case-sensitive",
            LISTED,
            h("origin", APP, "access-control-request-method", "put")),
        denied(
            "one-header-not-listed-denies-the-preflight",
            LISTED,
            h(
                "origin",
                APP,
                "access-control-request-method",
                "PUT",
                "access-control-request-headers",
                "content-type, authorization")),
        denied(
            "a-requested-name-that-is-no-token-denies-the-preflight",
            ANY,
            h(
                "origin",
                APP,
                "access-control-request-method",
                "PUT",
                "access-control-request-headers",
                "x y")),
        allowed(
            "any-origin-without-credentials-answers-star-and-does-not-vary",
            ANY,
            h(
                "origin",
                "null",
                "access-control-request-method",
                "PATCH",
                "access-control-request-headers",
                "x-anything"),
            h(
                "access-control-allow-origin", "*",
                "access-control-allow-methods", "*",
                "access-control-allow-headers", "*",
                "access-control-max-age", "5",
                "access-control-expose-headers", "*")),
        allowed(
            "star-methods-and-headers-with-credentials-name-what-was-asked",
            ANY_METHOD_AND_HEADER_WITH_CREDENTIALS,
            h(
                "origin",
                APP,
                "access-control-request-method",
                "PATCH",
                "access-control-request-headers",
                "authorization,x-b"),
            h(
                "vary", "Origin",
                "access-control-allow-origin", APP,
                "access-control-allow-credentials", "true",
                "access-control-allow-methods", "PATCH",
                "access-control-allow-headers", "authorization,x-b",
                "access-control-max-age", "5")),
        allowed(
            "star-headers-with-credentials-and-none-asked-names-none",
            ANY_METHOD_AND_HEADER_WITH_CREDENTIALS,
            h("origin", APP, "access-control-request-method", "GET"),
            h(
                "vary", "Origin",
                "access-control-allow-origin", APP,
                "access-control-allow-credentials", "true",
                "access-control-allow-methods", "GET",
                "access-control-max-age", "5")),
        allowed(
            "wildcard-host-covers-one-label",
            WILDCARD,
            h("origin", "https://a.example.com", "access-control-request-method", "GET"),
            h(
                "vary",
                "Origin",
                "access-control-allow-origin",
                "https://a.example.com",
                "access-control-max-age",
                "5")),
        allowed(
            "wildcard-host-covers-several-labels",
            WILDCARD,
            h("origin", "https://a.b.example.com", "access-control-request-method", "GET"),
            h(
                "vary",
                "Origin",
                "access-control-allow-origin",
                "https://a.b.example.com",
                "access-control-max-age",
                "5")),
        allowed(
            "wildcard-host-with-its-port",
            WILDCARD,
            h("origin", "https://x.dev.example:8443", "access-control-request-method", "GET"),
            h(
                "vary",
                "Origin",
                "access-control-allow-origin",
                "https://x.dev.example:8443",
                "access-control-max-age",
                "5")),
        denied(
            "wildcard-host-does-not-cover-its-apex",
            WILDCARD,
            h("origin", "https://example.com", "access-control-request-method", "GET")),
        denied(
            "wildcard-host-does-not-cover-another-scheme",
            WILDCARD,
            h("origin", "http://a.example.com", "access-control-request-method", "GET")),
        denied(
            "wildcard-host-does-not-cover-another-port",
            WILDCARD,
            h("origin", "https://a.example.com:8443", "access-control-request-method", "GET")),
        denied(
            "wildcard-host-does-not-cover-a-look-alike-suffix",
            WILDCARD,
            h("origin", "https://evilexample.com", "access-control-request-method", "GET")),
        allowed(
            "re2-pattern-matches-the-whole-origin",
            PATTERN,
            h("origin", "https://pr-42.preview.example", "access-control-request-method", "GET"),
            h(
                "vary",
                "Origin",
                "access-control-allow-origin",
                "https://pr-42.preview.example",
                "access-control-max-age",
                "5")),
        denied(
            "re2-pattern-never-matches-a-longer-origin",
            PATTERN,
            h(
                "origin",
                "https://shop.example.org.evil.example",
                "access-control-request-method",
                "GET")),
        proceeds(
            "options-without-request-method-is-not-a-preflight",
            LISTED,
            "OPTIONS",
            h("origin", APP)),
        proceeds(
            "options-without-origin-is-not-a-preflight",
            LISTED,
            "OPTIONS",
            h("access-control-request-method", "PUT")),
        proceeds(
            "an-actual-request-goes-on",
            LISTED,
            "PUT",
            h("origin", APP, "access-control-request-method", "PUT")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("preflights")
  void a_preflight_is_answered_as_the_table_says(Preflight c) {
    FakeRequest r = new FakeRequest();
    r.method = c.method();
    r.headers = c.headers();
    int verdict = new CorsFilter(c.spec()).admit(r);
    assertThat(verdict).isEqualTo(c.verdict());
    List<String> expected = new ArrayList<>();
    c.answer()
        .forEach(
            (k, v) -> {
              expected.add(k);
              expected.add(v);
            });
    assertThat(r.answer).containsExactlyElementsOf(expected);
  }

  record Actual(
      String name,
      Cors spec,
      Map<String, String> request,
      MultiMap upstream,
      Map<String, List<String>> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static MultiMap up(String... pairs) {
    MultiMap m = HttpHeaders.headers();
    for (int i = 0; i < pairs.length; i += 2) {
      m.add(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static Map<String, List<String>> out(String... pairs) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.computeIfAbsent(pairs[i], k -> new ArrayList<>()).add(pairs[i + 1]);
    }
    return m;
  }

  static Stream<Actual> actuals() {
    return Stream.of(
        new Actual(
            "allowed-origin-gets-allow-origin-and-expose-headers",
            LISTED,
            h("origin", APP),
            up("content-type", "text/plain"),
            out(
                "content-type", "text/plain",
                "vary", "Origin",
                "access-control-allow-origin", APP,
                "access-control-expose-headers", "x-request-id")),
        new Actual(
            "credentials-add-allow-credentials",
            CREDENTIALED,
            h("origin", APP),
            up(),
            out(
                "vary", "Origin",
                "access-control-allow-origin", APP,
                "access-control-allow-credentials", "true")),
        new Actual(
            "disallowed-origin-gets-none-and-the-upstreams-are-removed",
            LISTED,
            h("origin", "https://evil.example"),
            up(
                "Access-Control-Allow-Origin", "*",
                "access-control-allow-credentials", "true",
                "Access-Control-Expose-Headers", "x-secret",
                "etag", "\"1\""),
            out("etag", "\"1\"", "vary", "Origin")),
        new Actual(
            "the-policy-overwrites-the-upstreams-cors-headers",
            LISTED,
            h("origin", APP),
            up("access-control-allow-origin", "*", "access-control-expose-headers", "x-a"),
            out(
                "vary", "Origin",
                "access-control-allow-origin", APP,
                "access-control-expose-headers", "x-request-id")),
        new Actual("without-an-origin-only-vary", LISTED, h(), up(), out("vary", "Origin")),
        new Actual(
            "vary-is-appended-to-the-upstreams",
            LISTED,
            h("origin", APP),
            up("Vary", "Accept-Encoding"),
            out(
                "vary", "Accept-Encoding, Origin",
                "access-control-allow-origin", APP,
                "access-control-expose-headers", "x-request-id")),
        new Actual(
            "vary-lines-are-merged-into-one-list",
            LISTED,
            h(),
            up("vary", "Accept", "vary", "Accept-Language"),
            out("vary", "Accept, Accept-Language, Origin")),
        new Actual(
            "vary-that-names-origin-in-any-case-is-kept",
            LISTED,
            h(),
            up("vary", "accept-encoding, ORIGIN"),
            out("vary", "accept-encoding, ORIGIN")),
        new Actual("vary-star-is-kept", LISTED, h(), up("vary", "*"), out("vary", "*")),
        new Actual(
            "any-origin-answers-star-and-leaves-vary-alone",
            ANY,
            h("origin", APP),
            up("vary", "Accept-Encoding"),
            out(
                "vary", "Accept-Encoding",
                "access-control-allow-origin", "*",
                "access-control-expose-headers", "*")),
        new Actual(
            "wildcard-origin-on-the-actual-request",
            WILDCARD,
            h("origin", "https://api.example.com"),
            up(),
            out("vary", "Origin", "access-control-allow-origin", "https://api.example.com")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("actuals")
  void an_actual_response_gets_the_headers_the_table_says(Actual c) {
    FakeRequest r = new FakeRequest();
    r.headers = c.request();
    new CorsFilter(c.spec()).onResponse(r, 200, new MultiMapEdits(c.upstream()));
    Map<String, List<String>> got = new LinkedHashMap<>();
    c.upstream().names().forEach(n -> got.put(n.toLowerCase(Locale.ROOT), c.upstream().getAll(n)));
    assertThat(got).containsExactlyInAnyOrderEntriesOf(c.expected());
  }

  /**
   * Gatehouse's own answer on the route (413, 502, 503...) gets exactly what a proxied response
   * would: the same table, run through the local-answer stage whatever the status.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("actuals")
  void a_local_answer_gets_the_same_headers_as_a_proxied_response(Actual c) {
    for (int status : new int[] {400, 413, 502, 503, 504}) {
      FakeRequest r = new FakeRequest();
      r.headers = c.request();
      MultiMap answer = HttpHeaders.headers().addAll(c.upstream());
      new CorsFilter(c.spec()).onLocalAnswer(r, status, new MultiMapEdits(answer));
      Map<String, List<String>> got = new LinkedHashMap<>();
      answer.names().forEach(n -> got.put(n.toLowerCase(Locale.ROOT), answer.getAll(n)));
      assertThat(got).as("%s", status).containsExactlyInAnyOrderEntriesOf(c.expected());
    }
  }
}
