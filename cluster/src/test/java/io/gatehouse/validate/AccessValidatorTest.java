package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.testing.TestAccess;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The access-control rules (issue #15), one refused case per row, each naming its field. */
class AccessValidatorTest {
  private static RouteSpec route(List<PolicySpec> policies) {
    return RouteSpec.simple(
            RouteKey.of("t", "api", "r"),
            List.of("a.example"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 8080, 1))))
        .withPolicies(policies);
  }

  private static List<Violation> violations(PolicySpec... policies) {
    Validated<RouteSpec> v = RouteValidator.validate(route(List.of(policies)));
    return v.isValid() ? List.of() : v.violations();
  }

  private static JwtAuth jwt(
      @Nullable String uri, @Nullable String jwks, List<String> algorithms, String header) {
    JwtAuth j = TestAccess.jwtUri();
    return new JwtAuth(
        uri,
        jwks,
        algorithms,
        j.issuer(),
        j.audiences(),
        j.clockSkew(),
        j.requiredClaims(),
        j.claimHeaders(),
        j.forwardToken(),
        header,
        j.cookie(),
        j.jwksCacheDuration(),
        j.jwksMinRefetch(),
        j.jwksTimeout());
  }

  private static ForwardAuth forward(
      String url, List<String> responseHeaders, List<String> key, Duration cache) {
    ForwardAuth f = TestAccess.forwardAuth();
    return new ForwardAuth(
        url, f.method(), f.requestHeaders(), responseHeaders, f.signin(), f.timeout(), key, cache);
  }

  private static RateLimit limit(LimitKey key, long requests, Duration per, long burst) {
    return new RateLimit(null, key, requests, per, burst, RateLimit.Scope.LOCAL, List.of());
  }

  @Test
  void every_sample_kind_is_valid_together_and_header_names_are_lower_cased() {
    Validated<RouteSpec> v = RouteValidator.validate(route(TestAccess.all()));
    assertThat(v.isValid()).as("%s", v).isTrue();
    Validated<RouteSpec> upper =
        RouteValidator.validate(
            route(
                List.of(
                    jwt(null, TestAccess.OCT_JWKS, List.of("hs256"), "X-Token"),
                    limit(
                        new LimitKey(LimitKey.Kind.HEADER, "X-Api-Key"), 5, RateLimit.SECOND, 5))));
    assertThat(upper.isValid()).as("%s", upper).isTrue();
    JwtAuth j = (JwtAuth) upper.value().policies().get(0);
    assertThat(j.header()).isEqualTo("x-token");
    assertThat(j.algorithms()).containsExactly("HS256");
    assertThat(((RateLimit) upper.value().policies().get(1)).key().name()).isEqualTo("x-api-key");
  }

  static Stream<Arguments> refused() {
    BasicAuth basic = TestAccess.basicAuth();
    return Stream.of(
        Arguments.of(
            "a bad CIDR", new IpAccess(List.of("10.0.0.0/33"), List.of()), "policies[0].allow[0]"),
        Arguments.of(
            "a host name is not a CIDR",
            new IpAccess(List.of(), List.of("example.com")),
            "policies[0].deny[0]"),
        Arguments.of("no CIDR at all", new IpAccess(List.of(), List.of()), "policies[0].allow"),
        Arguments.of(
            "a realm with a quote",
            new BasicAuth("a\"b", basic.users(), false),
            "policies[0].realm"),
        Arguments.of("no users", new BasicAuth("r", List.of(), false), "policies[0].users"),
        Arguments.of(
            "a user name with a colon",
            new BasicAuth("r", List.of(new BasicAuth.User("a:b", TestAccess.SECRET_HASH)), false),
            "policies[0].users[0].name"),
        Arguments.of(
            "a user twice",
            new BasicAuth(
                "r",
                List.of(
                    new BasicAuth.User("a", TestAccess.SECRET_HASH),
                    new BasicAuth.User("a", TestAccess.ARGON2_HASH)),
                false),
            "policies[0].users[1].name"),
        Arguments.of(
            "an MD5-crypt hash",
            new BasicAuth("r", List.of(new BasicAuth.User("a", "$apr1$abc$def")), false),
            "policies[0].users[0].hash"),
        Arguments.of(
            "a plaintext password",
            new BasicAuth("r", List.of(new BasicAuth.User("a", "secret")), false),
            "policies[0].users[0].hash"),
        Arguments.of(
            "a SHA-1 hash",
            new BasicAuth(
                "r", List.of(new BasicAuth.User("a", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=")), false),
            "policies[0].users[0].hash"),
        Arguments.of(
            "neither key source",
            jwt(null, null, List.of("RS256"), "authorization"),
            "policies[0].jwksUri"),
        Arguments.of(
            "both key sources",
            jwt("https://i.example/jwks", TestAccess.RSA_JWKS, List.of("RS256"), "authorization"),
            "policies[0].jwksUri"),
        Arguments.of(
            "a jwksUri that is not http",
            jwt("file:///etc/jwks", null, List.of("RS256"), "authorization"),
            "policies[0].jwksUri"),
        Arguments.of(
            "the algorithm none",
            jwt("https://i.example/jwks", null, List.of("none"), "authorization"),
            "policies[0].algorithms[0]"),
        Arguments.of(
            "no algorithm",
            jwt("https://i.example/jwks", null, List.of(), "authorization"),
            "policies[0].algorithms"),
        Arguments.of(
            "HMAC with a URL's keys",
            jwt("https://i.example/jwks", null, List.of("HS256"), "authorization"),
            "policies[0].algorithms[0]"),
        Arguments.of(
            "HMAC with public keys",
            jwt(null, TestAccess.RSA_JWKS, List.of("RS256", "HS256"), "authorization"),
            "policies[0].algorithms[1]"),
        Arguments.of(
            "a private key inline",
            jwt(
                null,
                TestAccess.RSA_JWKS.replace("\"e\":", "\"d\":\"x\",\"e\":"),
                List.of("RS256"),
                "authorization"),
            "policies[0].jwks"),
        Arguments.of(
            "a token header that is not a token",
            jwt("https://i.example/jwks", null, List.of("RS256"), "x token"),
            "policies[0].header"),
        Arguments.of(
            "a forward-auth URL without host",
            forward("http:///check", List.of(), List.of(), Duration.ZERO),
            "policies[0].url"),
        Arguments.of(
            "a response header Gatehouse owns",
            forward("http://a.internal/", List.of("x-forwarded-for"), List.of(), Duration.ZERO),
            "policies[0].responseHeaders[0]"),
        Arguments.of(
            "a cache duration without a key",
            forward("http://a.internal/", List.of(), List.of(), Duration.ofSeconds(5)),
            "policies[0].cacheDuration"),
        Arguments.of(
            "a signin redirect parameter that is not a query name",
            TestAccess.forwardAuth()
                .withUrls("http://a.internal/", "https://login.example/")
                .withSigninRedirect(ForwardAuth.SigninRedirect.URL, "re direct"),
            "policies[0].signinRedirectParam"),
        Arguments.of(
            "a header key without a name",
            limit(new LimitKey(LimitKey.Kind.HEADER, null), 1, RateLimit.SECOND, 1),
            "policies[0].key.name"),
        Arguments.of(
            "a client address key with a name",
            limit(new LimitKey(LimitKey.Kind.CLIENT_ADDRESS, "x"), 1, RateLimit.SECOND, 1),
            "policies[0].key.name"),
        Arguments.of(
            "no request",
            limit(LimitKey.CLIENT_ADDRESS, 0, RateLimit.SECOND, 1),
            "policies[0].requests"),
        Arguments.of(
            "per an hour",
            limit(LimitKey.CLIENT_ADDRESS, 1, Duration.ofHours(1), 1),
            "policies[0].per"),
        Arguments.of(
            "no burst",
            limit(LimitKey.CLIENT_ADDRESS, 1, RateLimit.SECOND, 0),
            "policies[0].burst"),
        Arguments.of(
            "a claim key without a JwtAuth",
            limit(new LimitKey(LimitKey.Kind.CLAIM, "sub"), 1, RateLimit.SECOND, 1),
            "policies[0].key.type"),
        Arguments.of(
            "a bad exemption",
            new ConnectionLimit(LimitKey.CLIENT_ADDRESS, 1, List.of("1.2.3")),
            "policies[0].exempt[0]"),
        Arguments.of(
            "no connection",
            new ConnectionLimit(new LimitKey(LimitKey.Kind.ROUTE, null), 0, List.of()),
            "policies[0].max"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void a_bad_setting_is_refused_at_its_field(String name, PolicySpec policy, String field) {
    assertThat(violations(policy)).extracting(Violation::field).contains(field);
  }

  @Test
  void a_bad_hash_is_reported_with_its_user_never_with_the_hash() {
    List<Violation> v =
        violations(new BasicAuth("r", List.of(new BasicAuth.User("carol", "plaintext-pw")), false));
    assertThat(v).hasSize(1);
    assertThat(v.get(0).message()).contains("carol").doesNotContain("plaintext-pw");
  }

  @Test
  void an_inline_key_set_is_reported_by_its_size_never_its_text() {
    String withPrivate = TestAccess.OCT_JWKS.replace("\"k\":", "\"d\":\"zz\",\"k\":");
    List<Violation> v = violations(jwt(null, withPrivate, List.of("HS256"), "authorization"));
    assertThat(v).extracting(Violation::field).containsExactly("policies[0].jwks");
    assertThat(v.get(0).message()).doesNotContain("c2VjcmV0").contains("characters");
  }

  @Test
  void route_wide_rules_two_basic_auths_basic_beside_a_bearer_jwt_and_a_limit_name_twice() {
    assertThat(violations(TestAccess.basicAuth(), TestAccess.basicAuth()))
        .extracting(Violation::rule)
        .contains(AccessValidator.ONE_BASIC_RULE);
    assertThat(violations(TestAccess.basicAuth(), TestAccess.jwtUri()))
        .extracting(Violation::rule)
        .containsExactly(AccessValidator.BASIC_AND_JWT_RULE);
    assertThat(violations(TestAccess.rateLimit(), TestAccess.rateLimit()))
        .extracting(Violation::field)
        .containsExactly("policies[1].name");
    assertThat(
            violations(
                TestAccess.jwtUri(),
                limit(new LimitKey(LimitKey.Kind.CLAIM, "sub"), 1, RateLimit.SECOND, 1)))
        .as("a claim key beside a JwtAuth")
        .isEmpty();
  }

  @Test
  void client_certificate_depth_and_pass_need_a_mode_and_the_depth_is_bounded() {
    TlsSpec none =
        new TlsSpec(
            List.of(),
            "c",
            HttpsRedirect.DEFAULT,
            Hsts.OFF,
            new ClientAuth(ClientAuth.Mode.NONE, null, 2, true));
    Validated<RouteSpec> v = RouteValidator.validate(route(List.of()).withTls(none));
    assertThat(v.violations()).extracting(Violation::field).contains("tls.clientAuth.mode");
    List<Violation> deep = new java.util.ArrayList<>();
    CertificateValidator.clientAuth(
        new ClientAuth(
            ClientAuth.Mode.NONE, null, CertificateValidator.MAX_VERIFY_DEPTH + 1, false),
        deep);
    assertThat(deep).extracting(Violation::field).contains("tls.clientAuth.verifyDepth");
  }
}
