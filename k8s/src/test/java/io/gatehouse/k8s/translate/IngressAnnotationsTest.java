package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.Limits;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The canary annotations as {@link IngressAnnotations} reads them (ingress-nginx's meaning). */
class IngressAnnotationsTest {
  private static final IngressRef REF = new IngressRef("shop", "app-canary");
  private static final String N = IngressAnnotations.NGINX;

  private static IngressAnnotations parse(String... keyValues) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      a.put(N + keyValues[i], keyValues[i + 1]);
    }
    return IngressAnnotations.parse(REF, a);
  }

  private static List<String> messages(IngressAnnotations a) {
    return a.problems().stream().map(p -> p.reason() + " " + p.message()).toList();
  }

  static Stream<Arguments> weights() {
    return Stream.of(
        Arguments.of(new String[] {"canary", "true", "canary-weight", "10"}, 10, 100),
        Arguments.of(new String[] {"canary", "TRUE", "canary-weight", " 10 "}, 10, 100),
        // no weight: ingress-nginx sends the canary nothing
        Arguments.of(new String[] {"canary", "true"}, 0, 100),
        Arguments.of(new String[] {"canary", "true", "canary-weight", "0"}, 0, 100),
        Arguments.of(new String[] {"canary", "true", "canary-weight", "100"}, 100, 100),
        Arguments.of(
            new String[] {"canary", "true", "canary-weight", "25", "canary-weight-total", "1000"},
            25,
            1000),
        Arguments.of(
            new String[] {"canary", "true", "canary-weight", "3", "canary-weight-total", "3"},
            3,
            3),
        Arguments.of(
            new String[] {"canary", "true", "canary-weight", "1", "canary-weight-total", "10000"},
            1,
            10_000));
  }

  @ParameterizedTest
  @MethodSource("weights")
  void a_weighted_canary_reads_its_weight_and_total(String[] annotations, int weight, int total) {
    IngressAnnotations a = parse(annotations);
    assertThat(messages(a)).isEmpty();
    assertThat(a.refused()).isFalse();
    assertThat(a.canary()).isEqualTo(new IngressAnnotations.Canary(weight, total));
  }

  static Stream<Arguments> invalidWeights() {
    String notServed =
        "; this canary is not served (the Ingress it is a canary of keeps all the traffic)";
    return Stream.of(
        Arguments.of(
            "canary-weight",
            "ten",
            null,
            "canary-weight: \"ten\" (expected: a whole number from 0 to 10000)" + notServed),
        Arguments.of(
            "canary-weight",
            "-5",
            null,
            "canary-weight: \"-5\" (expected: a whole number from 0 to 10000)" + notServed),
        Arguments.of(
            "canary-weight",
            "+5",
            null,
            "canary-weight: \"+5\" (expected: a whole number from 0 to 10000)" + notServed),
        Arguments.of(
            "canary-weight",
            "1.5",
            null,
            "canary-weight: \"1.5\" (expected: a whole number from 0 to 10000)" + notServed),
        Arguments.of(
            "canary-weight",
            "",
            null,
            "canary-weight: \"\" (expected: a whole number from 0 to 10000)" + notServed),
        Arguments.of(
            "canary-weight",
            "99999999999",
            null,
            "canary-weight: \"99999999999\" (expected: a whole number from 0 to 10000)"
                + notServed),
        Arguments.of(
            "canary-weight",
            "101",
            null,
            "canary-weight: \"101\" (expected: 0 to canary-weight-total, 100)" + notServed),
        Arguments.of(
            "canary-weight",
            "30",
            "20",
            "canary-weight: \"30\" (expected: 0 to canary-weight-total, 20)" + notServed),
        Arguments.of(
            "canary-weight-total",
            "0",
            "0",
            "canary-weight-total: \"0\" (expected: a whole number from 1 to 10000)" + notServed),
        Arguments.of(
            "canary-weight-total",
            "10001",
            "10001",
            "canary-weight-total: \"10001\" (expected: a whole number from 1 to 10000)"
                + notServed),
        Arguments.of(
            "canary-weight-total",
            "many",
            "many",
            "canary-weight-total: \"many\" (expected: a whole number from 1 to 10000)"
                + notServed));
  }

  @ParameterizedTest
  @MethodSource("invalidWeights")
  void an_invalid_weight_or_total_refuses_the_canary_and_says_why(
      String key, String value, String total, String message) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(N + "canary", "true");
    a.put(N + "canary-weight", key.equals("canary-weight") ? value : "1");
    if (total != null) {
      a.put(N + "canary-weight-total", total);
    }
    IngressAnnotations parsed = IngressAnnotations.parse(REF, a);
    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.canary()).isNull();
    assertThat(messages(parsed)).containsExactly("InvalidAnnotation " + N + message);
  }

  static Stream<Arguments> canaryRules() {
    return Stream.of(
        Arguments.of(
            "by-header",
            List.of("canary-by-header", "X-Canary", "canary-weight", "10"),
            CanaryRule.byHeader("X-Canary")),
        Arguments.of(
            "by-header-value",
            List.of("canary-by-header", "X-Canary", "canary-by-header-value", "yes"),
            new CanaryRule("X-Canary", "yes", null, null)),
        Arguments.of(
            "by-header-pattern",
            List.of("canary-by-header", "X-Version", "canary-by-header-pattern", "^v2"),
            new CanaryRule("X-Version", null, "^v2", null)),
        Arguments.of(
            "value-wins-over-pattern-as-ingress-nginx",
            List.of(
                "canary-by-header",
                "h",
                "canary-by-header-value",
                "1",
                "canary-by-header-pattern",
                "(?=x)"),
            new CanaryRule("h", "1", null, null)),
        Arguments.of(
            "by-cookie", List.of("canary-by-cookie", "canary"), CanaryRule.byCookie("canary")),
        Arguments.of(
            "empty-annotations-are-unset",
            List.of("canary-by-header", "", "canary-by-cookie", "c"),
            CanaryRule.byCookie("c")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("canaryRules")
  void header_and_cookie_canaries_are_served_with_their_rule(
      String name, List<String> keys, CanaryRule rule) {
    List<String> kv = new ArrayList<>(List.of("canary", "true"));
    kv.addAll(keys);
    IngressAnnotations a = parse(kv.toArray(String[]::new));
    assertThat(a.refused()).isFalse();
    assertThat(a.canary().rule()).isEqualTo(rule);
  }

  static Stream<Arguments> refusedRules() {
    return Stream.of(
        Arguments.of(
            List.of("canary-by-header", "X Canary"),
            "canary-by-header: \"X Canary\" (expected: a header field name token)"),
        Arguments.of(
            List.of("canary-by-header", "h", "canary-by-header-pattern", "(a)\\1"),
            "canary-by-header-pattern: \"(a)\\\\1\" (expected: an RE2 regular expression"),
        Arguments.of(
            List.of("canary-by-header", "h", "canary-by-header-value", "a\nb"),
            "canary-by-header-value: \"a\\u000ab\" (expected: 1-1024 characters, no control"),
        Arguments.of(
            List.of("canary-by-cookie", "a=b"),
            "canary-by-cookie: \"a=b\" (expected: a cookie name token)"));
  }

  @ParameterizedTest
  @MethodSource("refusedRules")
  void a_rule_gatehouse_cannot_serve_as_ingress_nginx_refuses_the_canary(
      List<String> keys, String message) {
    List<String> kv = new ArrayList<>(List.of("canary", "true", "canary-weight", "10"));
    kv.addAll(keys);
    IngressAnnotations a = parse(kv.toArray(String[]::new));
    assertThat(a.refused()).isTrue();
    assertThat(a.canary()).isNull();
    assertThat(messages(a)).anyMatch(m -> m.startsWith("InvalidAnnotation " + N + message));
  }

  @Test
  void canary_annotations_on_an_ingress_that_is_no_canary_are_ignored_with_a_warning() {
    for (String flag : new String[] {"false", "yes", null}) {
      IngressAnnotations a =
          flag == null
              ? parse("canary-weight", "10")
              : parse("canary", flag, "canary-weight", "10");
      assertThat(a.canary()).as(flag).isNull();
      assertThat(a.refused()).as(flag).isFalse();
      assertThat(messages(a))
          .as(flag)
          .containsExactly(
              "UnsupportedAnnotation "
                  + N
                  + "canary-weight: \"10\" is ignored (canary is not \"true\": this Ingress is not"
                  + " a canary)");
    }
  }

  @Test
  void a_canary_ignores_the_settings_its_primary_sets() {
    IngressAnnotations a =
        parse(
            "canary",
            "true",
            "canary-weight",
            "10",
            "proxy-read-timeout",
            "99",
            "backend-protocol",
            "GRPC",
            "ssl-redirect",
            "false");
    assertThat(a.refused()).isFalse();
    assertThat(a.canary()).isEqualTo(new IngressAnnotations.Canary(10, 100));
    assertThat(a.timeouts()).isEqualTo(Timeouts.DEFAULTS);
    assertThat(a.limits()).isEqualTo(Limits.DEFAULTS);
    assertThat(a.protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(messages(a))
        .containsExactly(
            "UnsupportedAnnotation "
                + N
                + "backend-protocol: \"GRPC\" is ignored on a canary Ingress (the Ingress it is a"
                + " canary of sets it)",
            "UnsupportedAnnotation "
                + N
                + "proxy-read-timeout: \"99\" is ignored on a canary Ingress (the Ingress it is a"
                + " canary of sets it)",
            "UnsupportedAnnotation "
                + N
                + "ssl-redirect: \"false\" is ignored on a canary Ingress (the Ingress it is a"
                + " canary of sets it)");
  }

  @Test
  void a_canary_with_a_snippet_is_still_refused() {
    IngressAnnotations a =
        parse("canary", "true", "canary-weight", "10", "configuration-snippet", "deny all;");
    assertThat(a.refused()).isTrue();
    assertThat(a.canary()).isNull();
    assertThat(messages(a)).singleElement().asString().startsWith("SnippetRefused ");
  }

  @Test
  void the_canary_record_holds_its_bounds() {
    for (int[] bad : new int[][] {{-1, 100}, {101, 100}, {0, 0}, {1, 10_001}}) {
      assertThatThrownBy(() -> new IngressAnnotations.Canary(bad[0], bad[1]))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---------------------------------------------------------------- CORS wildcard origins

  /**
   * ingress-nginx's own test of an origin (its template: each origin quoted, the first '*' made
   * {@code [A-Za-z0-9\-]+}, the list joined with '|', matched case-insensitively by {@code ~*
   * (...)$}: the end anchored, the start not).
   */
  private static boolean nginxAllows(String annotation, String origin) {
    StringBuilder re = new StringBuilder("(");
    String[] items = annotation.split(",");
    for (int i = 0; i < items.length; i++) {
      String quoted = Pattern.quote(items[i].trim());
      re.append("(").append(quoted.replaceFirst("\\*", "\\\\E[A-Za-z0-9\\\\-]+\\\\Q")).append(")");
      if (i < items.length - 1) {
        re.append("|");
      }
    }
    re.append(")$");
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE).matcher(origin).find();
  }

  /** What the Cors policy the annotations became allows, as the CORS filter decides it. */
  private static boolean gatehouseAllows(Cors c, String origin) {
    for (String o : c.allowOrigins()) {
      if (o.contains("://*.")) {
        throw new AssertionError("a wildcard left for Gateway API's meaning: " + o);
      }
      if (o.equalsIgnoreCase(origin)) {
        return true;
      }
    }
    for (String p : c.allowOriginPatterns()) {
      if (com.google.re2j.Pattern.compile(p).matcher(origin).matches()) {
        return true;
      }
    }
    return false;
  }

  static Stream<Arguments> wildcardOrigins() {
    String list = "https://*.example.com, http://*.dev.example.org:8080, https://app.example.net";
    return Stream.of(
        Arguments.of(list, "https://app.example.com", true),
        Arguments.of(list, "https://APP.Example.COM", true),
        Arguments.of(list, "https://a-1.example.com", true),
        Arguments.of(list, "https://a.b.example.com", false),
        Arguments.of(list, "https://example.com", false),
        Arguments.of(list, "https://.example.com", false),
        Arguments.of(list, "https://a_b.example.com", false),
        Arguments.of(list, "https://app.example.com:8443", false),
        Arguments.of(list, "http://app.example.com", false),
        Arguments.of(list, "https://app.example.com.evil.net", false),
        Arguments.of(list, "https://evilexample.com", false),
        Arguments.of(list, "http://x.dev.example.org:8080", true),
        Arguments.of(list, "http://x.dev.example.org", false),
        Arguments.of(list, "http://x.dev.example.org:80800", false),
        Arguments.of(list, "https://app.example.net", true),
        Arguments.of(list, "https://x.app.example.net", false));
  }

  @ParameterizedTest(name = "{1} -> {2}")
  @MethodSource("wildcardOrigins")
  void a_wildcard_origin_allows_what_ingress_nginx_allows(
      String annotation, String origin, boolean allowed) {
    IngressAnnotations a = parse("enable-cors", "true", "cors-allow-origin", annotation);
    assertThat(a.problems()).isEmpty();
    Cors cors = (Cors) a.policies().get(0);
    assertThat(nginxAllows(annotation, origin)).as("ingress-nginx").isEqualTo(allowed);
    assertThat(gatehouseAllows(cors, origin)).as("gatehouse").isEqualTo(allowed);
  }

  @Test
  void wildcard_origins_become_re2_patterns_beside_the_exact_ones() {
    Cors cors =
        (Cors)
            parse(
                    "enable-cors", "true",
                    "cors-allow-origin", "https://*.Example.com:443, https://app.example.net")
                .policies()
                .get(0);
    assertThat(cors.allowOrigins()).containsExactly("https://app.example.net");
    assertThat(cors.allowOriginPatterns())
        .containsExactly("(?i)https://[A-Za-z0-9-]+\\.example\\.com");
    Cors wildOnly =
        (Cors)
            parse("enable-cors", "true", "cors-allow-origin", "https://*.a.example")
                .policies()
                .get(0);
    assertThat(wildOnly.allowOrigins()).isEmpty();
    assertThat(wildOnly.allowOriginPatterns()).hasSize(1);
    assertThat(IngressAnnotations.wildcardPattern("http://*.b.example:8080"))
        .isEqualTo("(?i)http://[A-Za-z0-9-]+\\.b\\.example:8080");
  }

  @Test
  void more_wildcard_origins_than_a_policy_takes_are_dropped_with_a_warning() {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < 18; i++) {
      list.append(i == 0 ? "" : ",").append("https://*.s").append(i).append(".example");
    }
    IngressAnnotations a = parse("enable-cors", "true", "cors-allow-origin", list.toString());
    assertThat(((Cors) a.policies().get(0)).allowOriginPatterns()).hasSize(16);
    assertThat(messages(a)).hasSize(2).allMatch(m -> m.startsWith("InvalidAnnotation "));
  }

  // ---------------------------------------------------------------- header variables

  /**
   * Header policies read {@code ${...}} variables; annotation text never becomes one, so text that
   * was sent as written before is still sent as written.
   */
  @Test
  void annotation_text_never_becomes_a_header_policy_value() {
    IngressAnnotations a =
        parse(
            "x-forwarded-prefix", "/api${request.id}",
            "custom-headers", "shop/headers",
            "enable-cors", "true",
            "cors-expose-headers", "X-Request-Id");
    assertThat(a.refused()).isFalse();
    assertThat(a.policies())
        .noneMatch(p -> p instanceof RequestHeaders || p instanceof ResponseHeaders)
        .allMatch(p -> p.edits().size() == 0);
    assertThat(((URLRewrite) a.policies().get(0)).forwardedPrefix()).isEqualTo("/api${request.id}");
    // custom-headers' values are escaped by the translator (golden case
    // annotation-text-is-never-read-for-header-variables)
    assertThat(a.proxy().customHeaders()).isNotNull();
    assertThat(messages(a)).isEmpty();
  }

  // ---- sticky splits: gatehouse.io/session-cookie-*; ingress-nginx's affinity is refused

  private static IngressAnnotations own(String... keyValues) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      a.put(keyValues[i], keyValues[i + 1]);
    }
    return IngressAnnotations.parse(REF, a);
  }

  @Test
  void session_cookie_annotations_make_a_session_persistence_policy() {
    String g = IngressAnnotations.PREFIX;
    record Case(String name, String[] annotations, SessionPersistence expected) {}
    List<Case> cases =
        List.of(
            new Case(
                "name alone: a session cookie",
                new String[] {g + "session-cookie-name", "gh"},
                SessionPersistence.cookie("gh")),
            new Case(
                "max-age in seconds, as ingress-nginx's",
                new String[] {
                  g + "session-cookie-name", "gh", g + "session-cookie-max-age", "172800"
                },
                new SessionPersistence("gh", Duration.ofHours(48), null, null, null)),
            new Case(
                "every refinement",
                new String[] {
                  g + "session-cookie-name", "gh",
                  g + "session-cookie-max-age", "90m",
                  g + "session-cookie-path", "/shop",
                  g + "session-cookie-secure", "TRUE",
                  g + "session-cookie-samesite", "None"
                },
                new SessionPersistence("gh", Duration.ofMinutes(90), "/shop", true, "None")));
    for (Case c : cases) {
      IngressAnnotations a = own(c.annotations());
      assertThat(a.refused()).as(c.name()).isFalse();
      assertThat(a.policies()).as(c.name()).containsExactly(c.expected());
      assertThat(messages(a)).as(c.name()).isEmpty();
    }
  }

  @Test
  void session_cookie_refinements_without_a_name_are_ignored_and_a_bad_max_age_refuses() {
    String g = IngressAnnotations.PREFIX;
    IngressAnnotations alone = own(g + "session-cookie-max-age", "48h");
    assertThat(alone.policies()).isEmpty();
    assertThat(alone.refused()).isFalse();
    assertThat(messages(alone))
        .containsExactly(
            "UnsupportedAnnotation "
                + g
                + "session-cookie-max-age: ignored without "
                + g
                + "session-cookie-name");
    IngressAnnotations bad =
        own(g + "session-cookie-name", "gh", g + "session-cookie-max-age", "two days");
    assertThat(bad.refused()).isTrue();
    assertThat(messages(bad)).hasSize(1).first().asString().startsWith("InvalidAnnotation ");
  }

  @Test
  void ingress_nginx_endpoint_affinity_becomes_the_backends_cookie_affinity() {
    IngressAnnotations affinity =
        parse(
            "affinity",
            "cookie",
            "session-cookie-name",
            "route",
            "session-cookie-max-age",
            "60",
            "session-cookie-samesite",
            "None");
    assertThat(affinity.refused()).isFalse();
    CookieAffinity c = affinity.backendPolicy().loadBalancing().affinity();
    assertThat(c)
        .isEqualTo(
            new CookieAffinity("route", Duration.ofMinutes(1), null, true, "None", true, false));
    IngressAnnotations behavior = parse("affinity-canary-behavior", "sticky");
    assertThat(behavior.refused()).isFalse();
    assertThat(behavior.policies()).isEmpty();
    assertThat(behavior.backendPolicy()).isNull();
    assertThat(messages(behavior)).hasSize(1).first().asString().contains("is served as legacy");
  }

  record Mapped(String name, String[] annotations, BackendPolicy policy) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Mapped> mapped() {
    LoadBalancing ring =
        LoadBalancing.hash(LoadBalancing.Algorithm.RING_HASH, HashOn.SOURCE_ADDRESS);
    return Stream.of(
        new Mapped(
            "nginx-ewma-is-peak-ewma",
            new String[] {N + "load-balance", "ewma"},
            BackendPolicy.DEFAULT.withLoadBalancing(
                LoadBalancing.of(LoadBalancing.Algorithm.PEAK_EWMA))),
        new Mapped(
            "remote-addr-hashes-the-source-address",
            new String[] {N + "upstream-hash-by", "$remote_addr"},
            BackendPolicy.DEFAULT.withLoadBalancing(ring)),
        new Mapped(
            "binary-remote-addr-too",
            new String[] {N + "upstream-hash-by", "$binary_remote_addr"},
            BackendPolicy.DEFAULT.withLoadBalancing(ring)),
        new Mapped(
            "http-variable-is-a-header",
            new String[] {N + "upstream-hash-by", "$http_x_user_id"},
            BackendPolicy.DEFAULT.withLoadBalancing(
                LoadBalancing.hash(LoadBalancing.Algorithm.RING_HASH, HashOn.header("x-user-id")))),
        new Mapped(
            "own-keys-set-the-breaker-and-the-check",
            new String[] {
              IngressAnnotations.PREFIX + "max-requests",
              "10",
              IngressAnnotations.PREFIX + "health-check-path",
              "/ready",
              IngressAnnotations.PREFIX + "outlier-detection",
              "off"
            },
            new BackendPolicy(
                LoadBalancing.DEFAULT,
                HealthCheck.http("/ready"),
                null,
                new CircuitBreaker(1024, 1024, 10, 3))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mapped")
  void a_backend_annotation_maps_as_the_table_says(Mapped c) {
    IngressAnnotations a = IngressAnnotations.parse(REF, pairs(c.annotations()));
    assertThat(messages(a)).isEmpty();
    assertThat(a.refused()).isFalse();
    assertThat(a.backendPolicy()).isEqualTo(c.policy());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "load-balance=chash",
        "upstream-hash-by=$request_uri",
        "upstream-hash-by=$uri",
        "upstream-hash-by=$host$uri",
        "upstream-hash-by-subset=true",
        "affinity=ip",
        "proxy-next-upstream=error http_501",
        "proxy-next-upstream-tries=three",
        "proxy-next-upstream-timeout=-1"
      })
  void an_ingress_nginx_value_gatehouse_cannot_serve_refuses_the_ingress(String kv) {
    String[] p = kv.split("=", 2);
    IngressAnnotations a = IngressAnnotations.parse(REF, Map.of(N + p[0], p[1]));
    assertThat(a.refused()).as(kv).isTrue();
  }

  @Test
  void proxy_next_upstream_tries_count_the_first_try() {
    Retry r =
        (Retry)
            IngressAnnotations.parse(
                    REF,
                    Map.of(
                        N + "proxy-next-upstream",
                        "error timeout http_503 non_idempotent",
                        N + "proxy-next-upstream-tries",
                        "4",
                        N + "proxy-next-upstream-timeout",
                        "7"))
                .policies()
                .get(0);
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(r.statuses()).containsExactly(503);
    assertThat(r.nonIdempotent()).isTrue();
    assertThat(r.on())
        .containsExactlyInAnyOrder(
            Retry.Condition.CONNECT_FAILURE,
            Retry.Condition.RESET,
            Retry.Condition.TIMEOUT,
            Retry.Condition.STATUS);
  }

  private static Map<String, String> pairs(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
