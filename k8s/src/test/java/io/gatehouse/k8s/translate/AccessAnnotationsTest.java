package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The value grammars of the access annotations, case by case (the golden cases show the rest). */
class AccessAnnotationsTest {
  private static final IngressRef REF = new IngressRef("shop", "web");
  private static final String N = IngressAnnotations.NGINX;
  private static final String G = IngressAnnotations.PREFIX;

  private static IngressAnnotations parse(String... keyValues) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      a.put(keyValues[i], keyValues[i + 1]);
    }
    return IngressAnnotations.parse(REF, a);
  }

  private static <T extends PolicySpec> @Nullable T only(IngressAnnotations a, Class<T> kind) {
    return a.access().policies().stream()
        .filter(kind::isInstance)
        .map(kind::cast)
        .findFirst()
        .orElse(null);
  }

  static Stream<Arguments> cacheKeys() {
    return Stream.of(
        Arguments.of(N, "$http_authorization", List.of("authorization")),
        Arguments.of(
            N, "$http_authorization$http_x_tenant_id", List.of("authorization", "x-tenant-id")),
        // anything but header variables: no cache rather than one keyed by less
        Arguments.of(N, "$remote_user$http_authorization", List.of()),
        Arguments.of(N, "$cookie_session", List.of()),
        Arguments.of(N, "static", List.of()),
        Arguments.of(G, "Authorization, X-Tenant", List.of("authorization", "x-tenant")));
  }

  @ParameterizedTest
  @MethodSource("cacheKeys")
  void an_auth_cache_key_is_read_only_when_it_is_request_headers(
      String prefix, String value, List<String> headers) {
    IngressAnnotations a =
        parse(N + "auth-url", "https://auth.example.com/check", prefix + "auth-cache-key", value);
    ForwardAuth f = only(a, ForwardAuth.class);
    assertThat(f).isNotNull();
    assertThat(f.cacheKey()).isEqualTo(headers);
    assertThat(a.refused()).isFalse();
  }

  static Stream<Arguments> cacheDurations() {
    return Stream.of(
        Arguments.of("200 202 401 5m", Duration.ofMinutes(5)),
        Arguments.of("200 10m", Duration.ofMinutes(10)),
        Arguments.of("30s", Duration.ofSeconds(30)),
        Arguments.of("90", Duration.ofSeconds(90)),
        Arguments.of("1h", Duration.ofHours(1)),
        // beyond an hour (the validator's most), and malformed: the default, with a warning
        Arguments.of("1d", AccessAnnotations.DEFAULT_CACHE),
        Arguments.of("61m", AccessAnnotations.DEFAULT_CACHE),
        Arguments.of("forever", AccessAnnotations.DEFAULT_CACHE),
        Arguments.of("2d", AccessAnnotations.DEFAULT_CACHE),
        Arguments.of("200 0", AccessAnnotations.DEFAULT_CACHE));
  }

  @ParameterizedTest
  @MethodSource("cacheDurations")
  void the_auth_cache_duration_is_nginxs_statuses_then_a_time(String value, Duration expected) {
    IngressAnnotations a =
        parse(
            N + "auth-url", "https://auth.example.com/check",
            N + "auth-cache-key", "$http_authorization",
            N + "auth-cache-duration", value);
    assertThat(only(a, ForwardAuth.class).cacheDuration()).isEqualTo(expected);
  }

  static Stream<Arguments> limitKeys() {
    return Stream.of(
        Arguments.of("client-address", LimitKey.CLIENT_ADDRESS),
        Arguments.of("header:X-Api-Key", new LimitKey(LimitKey.Kind.HEADER, "x-api-key")),
        Arguments.of("route", new LimitKey(LimitKey.Kind.ROUTE, null)),
        Arguments.of("TENANT", new LimitKey(LimitKey.Kind.TENANT, null)),
        Arguments.of("header:", null),
        Arguments.of("header:two words", null),
        Arguments.of("route:x", null),
        Arguments.of("cookie:sid", null));
  }

  @ParameterizedTest
  @MethodSource("limitKeys")
  void a_limit_key_names_a_kind_and_a_header_or_refuses_the_ingress(
      String value, @Nullable LimitKey expected) {
    IngressAnnotations a = parse(N + "limit-rps", "5", G + "limit-key", value);
    RateLimit r = only(a, RateLimit.class);
    if (expected == null) {
      assertThat(a.refused()).isTrue();
      assertThat(r).isNull();
    } else {
      assertThat(a.refused()).isFalse();
      assertThat(r.key()).isEqualTo(expected);
    }
  }

  @Test
  void the_burst_is_the_rate_times_the_multiplier_five_by_default() {
    assertThat(only(parse(N + "limit-rps", "7"), RateLimit.class).burst()).isEqualTo(35);
    assertThat(
            only(parse(N + "limit-rpm", "7", N + "limit-burst-multiplier", "3"), RateLimit.class)
                .burst())
        .isEqualTo(21);
  }

  static Stream<Arguments> verifyClients() {
    return Stream.of(
        Arguments.of(null, ClientAuth.Mode.REQUIRED, false),
        Arguments.of("on", ClientAuth.Mode.REQUIRED, false),
        Arguments.of("optional", ClientAuth.Mode.OPTIONAL, false),
        Arguments.of("off", ClientAuth.Mode.NONE, false),
        Arguments.of("optional_no_ca", null, true),
        Arguments.of("sometimes", null, true));
  }

  @ParameterizedTest
  @MethodSource("verifyClients")
  void auth_tls_verify_client_maps_on_optional_and_off_and_refuses_the_rest(
      @Nullable String value, ClientAuth.@Nullable Mode mode, boolean refused) {
    IngressAnnotations a =
        value == null
            ? parse(N + "auth-tls-secret", "shop/ca")
            : parse(N + "auth-tls-secret", "shop/ca", N + "auth-tls-verify-client", value);
    assertThat(a.refused()).isEqualTo(refused);
    if (!refused) {
      assertThat(a.access().clientCert().mode()).isEqualTo(mode);
      assertThat(a.access().clientCert().secret()).isEqualTo("ca");
    }
  }

  @Test
  void a_secret_named_with_another_namespace_refuses_the_ingress() {
    assertThat(parse(N + "auth-type", "basic", N + "auth-secret", "other/users").refused())
        .isTrue();
    assertThat(parse(N + "auth-tls-secret", "other/ca").refused()).isTrue();
    assertThat(parse(N + "auth-type", "basic", N + "auth-secret", "shop/users").refused())
        .isFalse();
  }

  @Test
  void an_unknown_auth_key_refuses_the_ingress_and_a_known_one_is_not_warned_as_unknown() {
    IngressAnnotations unknown = parse(N + "auth-something-new", "x");
    assertThat(unknown.refused()).isTrue();
    IngressAnnotations known =
        parse(N + "whitelist-source-range", "10.0.0.0/8", N + "limit-rps", "1");
    assertThat(known.refused()).isFalse();
    assertThat(known.problems()).isEmpty();
  }

  // ---- nginx variables in auth-url and auth-signin (the oauth2-proxy pattern)

  static Stream<Arguments> signins() {
    return Stream.of(
        Arguments.of(
            "https://$host/oauth2/start?rd=$escaped_request_uri",
            "rd",
            "https://$host/oauth2/start?rd=",
            ForwardAuth.SigninRedirect.ESCAPED_URI),
        Arguments.of(
            "https://$host/oauth2/start?rd=$request_uri",
            "rd",
            "https://$host/oauth2/start?rd=",
            ForwardAuth.SigninRedirect.URI),
        Arguments.of(
            "$scheme://$host/oauth2/start?rd=$scheme://$host$escaped_request_uri",
            "rd",
            "$scheme://$host/oauth2/start?rd=$scheme://$host",
            ForwardAuth.SigninRedirect.ESCAPED_URI),
        Arguments.of(
            "https://login.example/start?next=${escaped_request_uri}",
            "next",
            "https://login.example/start?next=",
            ForwardAuth.SigninRedirect.ESCAPED_URI),
        Arguments.of(
            "https://login.example/start",
            "rd",
            "https://login.example/start",
            ForwardAuth.SigninRedirect.URL),
        Arguments.of(
            "https://login.example/start?app=1&rd=",
            "rd",
            "https://login.example/start?app=1&rd=",
            ForwardAuth.SigninRedirect.URL),
        Arguments.of(
            "https://login.example/start?rd=https://a.example/",
            "rd",
            "https://login.example/start?rd=https://a.example/",
            ForwardAuth.SigninRedirect.NONE),
        Arguments.of(
            "https://login.example/start?rd=https://a.example/",
            "redirect_uri",
            "https://login.example/start?rd=https://a.example/",
            ForwardAuth.SigninRedirect.URL));
  }

  @ParameterizedTest
  @MethodSource("signins")
  void auth_signin_is_read_as_ingress_nginx_builds_it(
      String raw, String param, String url, ForwardAuth.SigninRedirect redirect) {
    AccessAnnotations.Signin s = AccessAnnotations.signin(raw, param);
    assertThat(s.problem()).isNull();
    assertThat(s.url()).isEqualTo(url);
    assertThat(s.redirect()).isEqualTo(redirect);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://$host/oauth2/start?rd=$escaped_request_uri&x=1",
        "https://$host/oauth2/start?x=$escaped_request_uri",
        "https://$host/oauth2/start$request_uri",
        "https://$http_host/oauth2/start",
        "https://$hostname/oauth2/start",
        "https://login.example/start?rd=$arg_next",
        "https://login.example/start?rd=$uri"
      })
  void any_other_variable_or_place_refuses_the_signin(String raw) {
    assertThat(AccessAnnotations.signin(raw, "rd").problem()).isNotNull();
    assertThat(
            parse(N + "auth-url", "https://auth.example/check", N + "auth-signin", raw).refused())
        .isTrue();
  }

  @Test
  void host_and_scheme_are_kept_for_the_route_and_set_there() {
    IngressAnnotations a =
        parse(
            N + "auth-url",
            "$scheme://$host:8443/oauth2/auth",
            N + "auth-signin",
            "https://$host/oauth2/start?rd=$escaped_request_uri");
    assertThat(a.refused()).isFalse();
    ForwardAuth f = only(a, ForwardAuth.class);
    assertThat(AccessAnnotations.perRoute(f)).isTrue();
    assertThat(AccessAnnotations.usesHost(f)).isTrue();
    StringBuilder why = new StringBuilder();
    ForwardAuth set = AccessAnnotations.forRoute(f, "app.example.com", "https", why);
    assertThat(set).isNotNull();
    assertThat(set.url()).isEqualTo("https://app.example.com:8443/oauth2/auth");
    assertThat(set.signin()).isEqualTo("https://app.example.com/oauth2/start?rd=");
    assertThat(set.signinRedirect()).isEqualTo(ForwardAuth.SigninRedirect.ESCAPED_URI);
    ForwardAuth plain =
        only(parse(N + "auth-url", "$scheme://auth.example/check"), ForwardAuth.class);
    assertThat(AccessAnnotations.usesHost(plain)).isFalse();
    assertThat(AccessAnnotations.forRoute(plain, "a.example", "http", why).url())
        .isEqualTo("http://auth.example/check");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://$http_host/oauth2/auth",
        "https://$best_http_host/check",
        "http://auth.example/check?u=$request_uri",
        "https://${server_name}/check"
      })
  void any_other_variable_in_auth_url_refuses_the_ingress(String url) {
    assertThat(parse(N + "auth-url", url).refused()).isTrue();
  }

  @Test
  void the_redirect_param_is_served_and_a_bad_name_refuses() {
    ForwardAuth f =
        only(
            parse(
                N + "auth-url",
                "https://auth.example/check",
                N + "auth-signin",
                "https://login.example/start",
                N + "auth-signin-redirect-param",
                "redirect_uri"),
            ForwardAuth.class);
    assertThat(f.signinRedirectParam()).isEqualTo("redirect_uri");
    assertThat(f.signinRedirect()).isEqualTo(ForwardAuth.SigninRedirect.URL);
    assertThat(
            parse(
                    N + "auth-url",
                    "https://auth.example/check",
                    N + "auth-signin",
                    "https://login.example/start",
                    N + "auth-signin-redirect-param",
                    "re direct")
                .refused())
        .isTrue();
  }
}
