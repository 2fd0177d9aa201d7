package io.gatehouse.policy;

import static io.gatehouse.policy.AdmissionFilter.PROCEED;
import static io.gatehouse.policy.AdmissionFilter.SUSPEND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.testing.TestJwts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtFilterTest {
  static final RouteKey ROUTE = RouteKey.of("default", "cli", "api");
  static final String ISS = "https://idp.example";
  static final String AUD = "api";
  static final long NOW = System.currentTimeMillis();

  static JwtAuth inline(String jwks, List<String> algorithms) {
    return new JwtAuth(
        null,
        jwks,
        algorithms,
        ISS,
        List.of(AUD, "other"),
        Duration.ofSeconds(30),
        List.of("sub"),
        List.of(
            new JwtAuth.ClaimHeader("sub", "x-user"),
            new JwtAuth.ClaimHeader("groups", "x-groups"),
            new JwtAuth.ClaimHeader("name", "x-name")),
        true,
        JwtAuth.DEFAULT_HEADER,
        null,
        JwtAuth.DEFAULT_JWKS_CACHE,
        JwtAuth.DEFAULT_JWKS_MIN_REFETCH,
        JwtAuth.DEFAULT_JWKS_TIMEOUT);
  }

  static JwtAuth byUri() {
    return new JwtAuth(
        "https://idp.example/jwks",
        null,
        List.of("RS256"),
        ISS,
        List.of(AUD),
        Duration.ofSeconds(30),
        List.of(),
        List.of(),
        true,
        JwtAuth.DEFAULT_HEADER,
        null,
        JwtAuth.DEFAULT_JWKS_CACHE,
        JwtAuth.DEFAULT_JWKS_MIN_REFETCH,
        JwtAuth.DEFAULT_JWKS_TIMEOUT);
  }

  static final String ALL_KEYS =
      TestJwts.jwks(TestJwts.RSA, TestJwts.EC, TestJwts.ED, TestJwts.OCT);

  static JwtFilter filter(JwtAuth spec) {
    return new JwtFilter(spec, ROUTE, PolicyServices.NONE, () -> NOW);
  }

  static JwtFilter rsaOnly() {
    return filter(inline(TestJwts.jwks(TestJwts.RSA), List.of("RS256")));
  }

  static Map<String, Object> claims() {
    Map<String, Object> c = new LinkedHashMap<>(TestJwts.claims(ISS, AUD));
    c.put("iat", NOW / 1000);
    c.put("exp", NOW / 1000 + 300);
    return c;
  }

  static Map<String, Object> claims(Consumer<Map<String, Object>> edit) {
    Map<String, Object> c = claims();
    edit.accept(c);
    return c;
  }

  static String rs256(Map<String, Object> claims) {
    return TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, claims);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"RS256", "RS384", "PS256", "PS512", "ES256", "EdDSA", "HS256", "HS512"})
  void a_valid_token_of_each_algorithm_family_is_let_through_with_its_claims(String name) {
    JWSAlgorithm alg = JWSAlgorithm.parse(name);
    JwtFilter f = filter(inline(ALL_KEYS, List.of(name)));
    var key =
        name.startsWith("ES")
            ? TestJwts.EC
            : name.startsWith("Ed")
                ? TestJwts.ED
                : name.startsWith("HS") ? TestJwts.OCT : TestJwts.RSA;
    String token =
        TestJwts.sign(
            key,
            alg,
            claims(
                c -> {
                  c.put("groups", List.of("dev", "ops"));
                  c.put("name", "Alice");
                }));
    JwtRequest r = JwtRequest.bearer(token);
    assertThat(f.admit(r)).isEqualTo(PROCEED);
    assertThat(r.claims).containsEntry("sub", "alice").containsEntry("iss", ISS);
    assertThat(r.upstream)
        .containsEntry("x-user", "alice")
        .containsEntry("x-groups", "dev,ops")
        .containsEntry("x-name", "Alice");
    assertThat(r.answer).isEmpty();
  }

  /** Each hostile or broken token, what makes it so, and the reason it must be refused. */
  record Bad(String name, String token) {}

  static List<Bad> badTokens() {
    List<Bad> out = new ArrayList<>();
    out.add(new Bad("alg none", TestJwts.unsecured(claims())));
    out.add(
        new Bad(
            "HS256 keyed with the RSA public key",
            TestJwts.hmacWithPublicKey(TestJwts.RSA, claims())));
    out.add(new Bad("expired past the skew", rs256(claims(c -> c.put("exp", NOW / 1000 - 31)))));
    out.add(
        new Bad(
            "not valid before a time past the skew",
            rs256(claims(c -> c.put("nbf", NOW / 1000 + 31)))));
    out.add(new Bad("no exp", rs256(claims(c -> c.remove("exp")))));
    out.add(new Bad("wrong audience", rs256(claims(c -> c.put("aud", "someone-else")))));
    out.add(new Bad("wrong issuer", rs256(claims(c -> c.put("iss", "https://evil.example")))));
    out.add(new Bad("required claim missing", rs256(claims(c -> c.remove("sub")))));
    out.add(new Bad("unknown kid", TestJwts.withKid(TestJwts.RSA, "nobody", claims())));
    out.add(
        new Bad(
            "signed by another key under the right kid",
            TestJwts.withKid(TestJwts.RSA_ROTATED, "rsa-1", claims())));
    out.add(
        new Bad(
            "ES256, not on the list", TestJwts.sign(TestJwts.EC, JWSAlgorithm.ES256, claims())));
    String good = rs256(claims());
    out.add(
        new Bad(
            "payload changed after signing",
            good.substring(0, good.indexOf('.') + 1)
                + TestJwts.unsecured(claims(c -> c.put("sub", "root"))).split("\\.")[1]
                + good.substring(good.lastIndexOf('.'))));
    out.add(new Bad("signature cut", good.substring(0, good.length() - 4)));
    out.add(new Bad("not base64url", good.replace('.', '!')));
    out.add(new Bad("JWE-shaped (five parts)", good + ".a.b"));
    out.add(new Bad("longer than the limit", good + "A".repeat(JwtFilter.MAX_TOKEN_CHARS)));
    out.add(
        new Bad(
            "critical header",
            TestJwts.sign(
                TestJwts.RSA,
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID("rsa-1")
                    .customParam("exp-ext", 1)
                    .criticalParams(Set.of("exp-ext"))
                    .build(),
                claims())));
    out.add(
        new Bad(
            "claims not JSON",
            good.substring(0, good.indexOf('.'))
                + ".bm90IGpzb24"
                + good.substring(good.lastIndexOf('.'))));
    return out;
  }

  @Test
  void
      every_hostile_or_broken_token_is_refused_with_401_invalid_token_and_nothing_for_the_upstream() {
    JwtFilter f = rsaOnly();
    for (Bad b : badTokens()) {
      JwtRequest r = JwtRequest.bearer(b.token());
      assertThat(f.admit(r)).as(b.name()).isEqualTo(401);
      assertThat(r.answer)
          .as(b.name())
          .containsExactly(
              "www-authenticate", "Bearer realm=\"a.example\", error=\"invalid_token\"");
      assertThat(r.claims).as(b.name()).isNull();
      assertThat(r.upstream).as(b.name()).isEmpty();
    }
  }

  @Test
  void the_key_confusion_attack_fails_even_where_hs256_is_allowed_beside_rs256() {
    // An inline set with the RSA key and a real HMAC key: the HS256 token names the RSA key's kid
    // and is keyed with its public key; only an oct key may check HS256, so no key fits.
    JwtFilter f =
        filter(inline(TestJwts.jwks(TestJwts.RSA, TestJwts.OCT), List.of("RS256", "HS256")));
    JwtRequest r = JwtRequest.bearer(TestJwts.hmacWithPublicKey(TestJwts.RSA, claims()));
    assertThat(f.admit(r)).isEqualTo(401);
    // The same filter takes an honest HS256 token.
    assertThat(
            f.admit(JwtRequest.bearer(TestJwts.sign(TestJwts.OCT, JWSAlgorithm.HS256, claims()))))
        .isEqualTo(PROCEED);
  }

  @Test
  void the_clock_skew_admits_a_token_just_expired_or_just_not_yet_valid() {
    JwtFilter f = rsaOnly();
    assertThat(f.admit(JwtRequest.bearer(rs256(claims(c -> c.put("exp", NOW / 1000 - 29))))))
        .isEqualTo(PROCEED);
    assertThat(f.admit(JwtRequest.bearer(rs256(claims(c -> c.put("nbf", NOW / 1000 + 29))))))
        .isEqualTo(PROCEED);
    assertThat(f.admit(JwtRequest.bearer(rs256(claims(c -> c.put("aud", List.of("x", "other")))))))
        .as("one audience of the list is enough")
        .isEqualTo(PROCEED);
  }

  @Test
  void a_request_without_a_token_gets_a_bare_bearer_challenge() {
    JwtFilter f = rsaOnly();
    for (Map<String, String> headers :
        List.<Map<String, String>>of(
            Map.of(),
            Map.of("authorization", "Basic YWxpY2U6c2VjcmV0"),
            Map.of("authorization", "Bearer "),
            Map.of("authorization", "Bearertoken"))) {
      JwtRequest r = new JwtRequest(headers);
      assertThat(f.admit(r)).as("%s", headers).isEqualTo(401);
      assertThat(r.answer).containsExactly("www-authenticate", "Bearer realm=\"a.example\"");
    }
  }

  @Test
  void the_scheme_is_case_insensitive_and_two_authorization_fields_are_refused_as_ambiguous() {
    JwtFilter f = rsaOnly();
    String token = rs256(claims());
    assertThat(f.admit(new JwtRequest(Map.of("authorization", "bearer  " + token))))
        .isEqualTo(PROCEED);
    JwtRequest two = JwtRequest.bearer(token);
    two.more.put("authorization", "Bearer " + token + ", Bearer forged");
    assertThat(f.admit(two)).isEqualTo(400);
    assertThat(two.answer)
        .containsExactly(
            "www-authenticate", "Bearer realm=\"a.example\", error=\"invalid_request\"");
  }

  @Test
  void the_token_is_dropped_upstream_unless_forwarded() {
    JwtAuth keep = inline(TestJwts.jwks(TestJwts.RSA), List.of("RS256"));
    JwtAuth drop = withForwardToken(keep, false);
    JwtRequest r = JwtRequest.bearer(rs256(claims()));
    assertThat(filter(drop).admit(r)).isEqualTo(PROCEED);
    assertThat(r.upstream).containsEntry("authorization", null);
    JwtRequest k = JwtRequest.bearer(rs256(claims()));
    assertThat(filter(keep).admit(k)).isEqualTo(PROCEED);
    assertThat(k.upstream).doesNotContainKey("authorization");
  }

  @Test
  void a_token_in_a_cookie_is_read_when_the_header_has_none_and_taken_out_of_the_cookies() {
    JwtAuth spec =
        withCookie(
            withForwardToken(inline(TestJwts.jwks(TestJwts.RSA), List.of("RS256")), false), "jwt");
    String token = rs256(claims());
    JwtRequest r = new JwtRequest(Map.of("cookie", "a=1; jwt=" + token + "; b=2"));
    assertThat(filter(spec).admit(r)).isEqualTo(PROCEED);
    assertThat(r.upstream).containsEntry("cookie", "a=1; b=2");
    JwtRequest only = new JwtRequest(Map.of("cookie", "jwt=\"" + token + "\""));
    assertThat(filter(spec).admit(only)).as("a quoted value").isEqualTo(PROCEED);
    assertThat(only.upstream).containsEntry("cookie", null);
    JwtRequest twice = new JwtRequest(Map.of("cookie", "jwt=" + token + "; jwt=forged"));
    assertThat(filter(spec).admit(twice)).isEqualTo(400);
    // HTTP/2 may send the cookies in several fields; the request joins them with ", ".
    JwtRequest h2 = new JwtRequest(Map.of("cookie", "a=1"));
    h2.more.put("cookie", "a=1, jwt=" + token);
    assertThat(filter(spec).admit(h2)).isEqualTo(PROCEED);
    assertThat(h2.upstream).containsEntry("cookie", "a=1");
  }

  @Test
  void a_claim_that_cannot_be_a_header_value_is_not_forwarded_and_the_clients_copy_is_dropped() {
    JwtFilter f = filter(inline(TestJwts.jwks(TestJwts.RSA), List.of("RS256")));
    JwtRequest r =
        JwtRequest.bearer(
            rs256(
                claims(
                    c -> {
                      c.put("name", "Al\r\nX-Admin: true");
                      c.put("groups", Map.of("nested", true));
                    })));
    r.more.put("x-user", "forged");
    assertThat(f.admit(r)).isEqualTo(PROCEED);
    assertThat(r.upstream)
        .containsEntry("x-user", "alice")
        .containsEntry("x-name", null)
        .containsEntry("x-groups", null);
    assertThat(JwtFilter.headerText("José")).as("not ASCII").isNull();
    assertThat(JwtFilter.headerText(42L)).isEqualTo("42");
    assertThat(JwtFilter.headerText(true)).isEqualTo("true");
    assertThat(JwtFilter.headerText(List.of("a", 1))).isNull();
  }

  @Test
  void a_token_without_kid_is_checked_against_the_keys_of_its_type() {
    JwtFilter f = rsaOnly();
    String token =
        TestJwts.sign(TestJwts.RSA, new JWSHeader.Builder(JWSAlgorithm.RS256).build(), claims());
    assertThat(f.admit(JwtRequest.bearer(token))).isEqualTo(PROCEED);
  }

  @Test
  void the_realm_is_the_host_when_it_is_a_plain_name() {
    assertThat(JwtFilter.realm("api.example")).isEqualTo("api.example");
    assertThat(JwtFilter.realm("[::1]:8080")).isEqualTo("[::1]:8080");
    assertThat(JwtFilter.realm(null)).isEqualTo("gatehouse");
    assertThat(JwtFilter.realm("a\"b")).isEqualTo("gatehouse");
  }

  // ---- compile-time refusals: never served open

  record Refusal(String name, JwtAuth spec, PolicyServices services, String message) {}

  @Test
  void a_policy_that_cannot_be_enforced_fails_the_compile_with_its_reason() throws Exception {
    String rsa = TestJwts.jwks(TestJwts.RSA);
    RSAKey weak = new RSAKeyGenerator(1024, true).keyID("weak").generate();
    OctetSequenceKey shortSecret =
        new OctetSequenceKey.Builder(new byte[16]).keyID("short").build();
    OctetSequenceKey hs256Only = new OctetSequenceKeyGenerator(256).keyID("hs").generate();
    List<Refusal> cases =
        List.of(
            new Refusal(
                "alg none",
                inline(rsa, List.of("RS256", "none")),
                PolicyServices.NONE,
                "\"none\" is never accepted"),
            new Refusal(
                "unknown algorithm",
                inline(rsa, List.of("RS1")),
                PolicyServices.NONE,
                "not supported"),
            new Refusal(
                "HMAC with a key set from a URL",
                withAlgorithms(byUri(), List.of("RS256", "HS256")),
                services(),
                "never an HMAC secret"),
            new Refusal("a URL without a node", byUri(), PolicyServices.NONE, "needs a node"),
            new Refusal(
                "both key sources",
                withJwks(byUri(), rsa),
                services(),
                "exactly one of jwksUri and jwks"),
            new Refusal(
                "no key source",
                withUri(byUri(), null),
                services(),
                "exactly one of jwksUri and jwks"),
            new Refusal(
                "a URL that is not http(s)",
                withUri(byUri(), "file:///etc/jwks"),
                services(),
                "absolute http or https"),
            new Refusal(
                "an RSA key under 2048 bits",
                inline(TestJwts.jwks(weak), List.of("RS256")),
                PolicyServices.NONE,
                "RSA key of 1024 bits"),
            new Refusal(
                "an HMAC secret under 256 bits",
                inline(TestJwts.jwks(shortSecret), List.of("HS256")),
                PolicyServices.NONE,
                "\"short\""),
            new Refusal(
                "HS512 with a 256-bit secret",
                inline(TestJwts.jwks(hs256Only), List.of("HS512")),
                PolicyServices.NONE,
                "HS512 needs an inline oct key"),
            new Refusal(
                "no key for any algorithm",
                inline(rsa, List.of("ES256")),
                PolicyServices.NONE,
                "no key for any"),
            new Refusal(
                "not a JWK Set",
                inline("{\"keys\": 3}", List.of("RS256")),
                PolicyServices.NONE,
                "not a JWK Set"),
            new Refusal(
                "a claim into Host",
                withClaimHeader(inline(rsa, List.of("RS256")), "host"),
                PolicyServices.NONE,
                "not a header a claim may set"),
            new Refusal(
                "a claim into the token's header",
                withClaimHeader(inline(rsa, List.of("RS256")), "authorization"),
                PolicyServices.NONE,
                "is the token's header"),
            new Refusal(
                "negative skew",
                withSkew(inline(rsa, List.of("RS256")), Duration.ofSeconds(-1)),
                PolicyServices.NONE,
                "clockSkew is negative"));
    for (Refusal c : cases) {
      assertThatThrownBy(() -> new JwtFilter(c.spec(), ROUTE, c.services(), () -> NOW))
          .as(c.name())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c.message());
    }
  }

  @Test
  void a_refusal_never_quotes_an_inline_secret() throws Exception {
    OctetSequenceKey shortSecret =
        new OctetSequenceKey.Builder("0123456789abcdef".getBytes()).keyID("short").build();
    assertThatThrownBy(() -> filter(inline(TestJwts.jwks(shortSecret), List.of("HS256"))))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain(shortSecret.getKeyValue().toString());
  }

  // ---- keys from a URL (the node's source, faked)

  @Test
  void with_no_keys_yet_the_request_waits_for_the_fetch_and_goes_on_when_it_brings_them() {
    FakeSource src = new FakeSource();
    JwtFilter f = new JwtFilter(byUri(), ROUTE, src.services(), () -> NOW);
    JwtRequest r = JwtRequest.bearer(rs256(claims()));
    assertThat(f.admit(r)).isEqualTo(SUSPEND);
    assertThat(src.refreshes).containsExactly(false);
    assertThat(r.resumed).isNull();
    src.pending.complete(JwtKeySet.parse(TestJwts.jwks(TestJwts.RSA), false));
    assertThat(r.resumed).isEqualTo(PROCEED);
    assertThat(r.claims).containsEntry("sub", "alice");
  }

  @Test
  void a_fetch_that_brings_nothing_answers_401() {
    FakeSource src = new FakeSource();
    JwtFilter f = new JwtFilter(byUri(), ROUTE, src.services(), () -> NOW);
    JwtRequest r = JwtRequest.bearer(rs256(claims()));
    assertThat(f.admit(r)).isEqualTo(SUSPEND);
    src.pending.complete(JwtKeySet.EMPTY);
    assertThat(r.resumed).isEqualTo(401);
    assertThat(r.answer).contains("Bearer realm=\"a.example\", error=\"invalid_token\"");
  }

  @Test
  void an_unknown_kid_asks_for_one_refetch_and_a_rotated_key_is_then_used() {
    FakeSource src = new FakeSource();
    src.current = JwtKeySet.parse(TestJwts.jwks(TestJwts.RSA), false);
    JwtFilter f = new JwtFilter(byUri(), ROUTE, src.services(), () -> NOW);
    assertThat(f.admit(JwtRequest.bearer(rs256(claims())))).isEqualTo(PROCEED);
    assertThat(src.refreshes).isEmpty();
    JwtRequest r =
        JwtRequest.bearer(TestJwts.sign(TestJwts.RSA_ROTATED, JWSAlgorithm.RS256, claims()));
    assertThat(f.admit(r)).isEqualTo(SUSPEND);
    assertThat(src.refreshes).containsExactly(true);
    src.pending.complete(JwtKeySet.parse(TestJwts.jwks(TestJwts.RSA, TestJwts.RSA_ROTATED), false));
    assertThat(r.resumed).isEqualTo(PROCEED);
  }

  @Test
  void an_unknown_kid_the_refetch_does_not_bring_is_refused() {
    FakeSource src = new FakeSource();
    src.current = JwtKeySet.parse(TestJwts.jwks(TestJwts.RSA), false);
    JwtFilter f = new JwtFilter(byUri(), ROUTE, src.services(), () -> NOW);
    JwtRequest r = JwtRequest.bearer(TestJwts.withKid(TestJwts.RSA, "nobody", claims()));
    // The source answers at once (the fetch-rate bound): no suspension, one refusal.
    src.pending = CompletableFuture.completedFuture(src.current);
    assertThat(f.admit(r)).isEqualTo(401);
    assertThat(src.refreshes).containsExactly(true);
  }

  @Test
  void a_key_set_from_a_url_never_yields_an_hmac_key() {
    JwtKeySet set = JwtKeySet.parse(TestJwts.jwks(TestJwts.RSA, TestJwts.OCT), false);
    assertThat(set.size()).isEqualTo(1);
    assertThat(set.supports(JWSAlgorithm.HS256)).isFalse();
    assertThat(set.skipped()).singleElement().asString().contains("\"hmac-1\"", "never from a URL");
  }

  @Test
  void keys_not_for_signatures_are_left_out() {
    String json =
        "{\"keys\":["
            + TestJwts.RSA.toPublicJWK().toJSONString().replace("{", "{\"use\":\"enc\",")
            + ","
            + TestJwts.EC.toPublicJWK().toJSONString().replace("{", "{\"key_ops\":[\"encrypt\"],")
            + "]}";
    JwtKeySet set = JwtKeySet.parse(json, false);
    assertThat(set.size()).isZero();
    assertThat(set.skipped()).hasSize(2);
  }

  @Test
  void a_key_that_names_its_alg_verifies_only_that_alg() {
    String json =
        "{\"keys\":["
            + TestJwts.RSA.toPublicJWK().toJSONString().replace("{", "{\"alg\":\"PS256\",")
            + "]}";
    JwtFilter f = filter(inline(json, List.of("RS256", "PS256")));
    assertThat(f.admit(JwtRequest.bearer(rs256(claims())))).isEqualTo(401);
    assertThat(
            f.admit(JwtRequest.bearer(TestJwts.sign(TestJwts.RSA, JWSAlgorithm.PS256, claims()))))
        .isEqualTo(PROCEED);
  }

  // ---- helpers

  static PolicyServices services() {
    return new FakeSource().services();
  }

  /** A key source whose refreshes the test completes. */
  static final class FakeSource implements JwtKeySource {
    JwtKeySet current = JwtKeySet.EMPTY;
    CompletableFuture<JwtKeySet> pending = new CompletableFuture<>();
    final List<Boolean> refreshes = new ArrayList<>();

    PolicyServices services() {
      return new PolicyServices() {
        @Override
        public JwtKeySource jwtKeys(JwtAuth spec) {
          return FakeSource.this;
        }
      };
    }

    @Override
    public JwtKeySet current() {
      return current;
    }

    @Override
    public CompletionStage<JwtKeySet> refresh(boolean unknownKid) {
      refreshes.add(unknownKid);
      return pending;
    }
  }

  static JwtAuth withForwardToken(JwtAuth a, boolean forward) {
    return new JwtAuth(
        a.jwksUri(),
        a.jwks(),
        a.algorithms(),
        a.issuer(),
        a.audiences(),
        a.clockSkew(),
        a.requiredClaims(),
        a.claimHeaders(),
        forward,
        a.header(),
        a.cookie(),
        a.jwksCacheDuration(),
        a.jwksMinRefetch(),
        a.jwksTimeout());
  }

  static JwtAuth withCookie(JwtAuth a, String cookie) {
    return new JwtAuth(
        a.jwksUri(),
        a.jwks(),
        a.algorithms(),
        a.issuer(),
        a.audiences(),
        a.clockSkew(),
        a.requiredClaims(),
        a.claimHeaders(),
        a.forwardToken(),
        a.header(),
        cookie,
        a.jwksCacheDuration(),
        a.jwksMinRefetch(),
        a.jwksTimeout());
  }

  static JwtAuth withAlgorithms(JwtAuth a, List<String> algs) {
    return new JwtAuth(
        a.jwksUri(),
        a.jwks(),
        algs,
        a.issuer(),
        a.audiences(),
        a.clockSkew(),
        a.requiredClaims(),
        a.claimHeaders(),
        a.forwardToken(),
        a.header(),
        a.cookie(),
        a.jwksCacheDuration(),
        a.jwksMinRefetch(),
        a.jwksTimeout());
  }

  static JwtAuth withJwks(JwtAuth a, String jwks) {
    return new JwtAuth(
        a.jwksUri(),
        jwks,
        a.algorithms(),
        a.issuer(),
        a.audiences(),
        a.clockSkew(),
        a.requiredClaims(),
        a.claimHeaders(),
        a.forwardToken(),
        a.header(),
        a.cookie(),
        a.jwksCacheDuration(),
        a.jwksMinRefetch(),
        a.jwksTimeout());
  }

  static JwtAuth withUri(JwtAuth a, @Nullable String uri) {
    return new JwtAuth(
        uri,
        a.jwks(),
        a.algorithms(),
        a.issuer(),
        a.audiences(),
        a.clockSkew(),
        a.requiredClaims(),
        a.claimHeaders(),
        a.forwardToken(),
        a.header(),
        a.cookie(),
        a.jwksCacheDuration(),
        a.jwksMinRefetch(),
        a.jwksTimeout());
  }

  static JwtAuth withClaimHeader(JwtAuth a, String header) {
    return new JwtAuth(
        a.jwksUri(),
        a.jwks(),
        a.algorithms(),
        a.issuer(),
        a.audiences(),
        a.clockSkew(),
        a.requiredClaims(),
        List.of(new JwtAuth.ClaimHeader("sub", header)),
        a.forwardToken(),
        a.header(),
        a.cookie(),
        a.jwksCacheDuration(),
        a.jwksMinRefetch(),
        a.jwksTimeout());
  }

  static JwtAuth withSkew(JwtAuth a, Duration skew) {
    return new JwtAuth(
        a.jwksUri(),
        a.jwks(),
        a.algorithms(),
        a.issuer(),
        a.audiences(),
        skew,
        a.requiredClaims(),
        a.claimHeaders(),
        a.forwardToken(),
        a.header(),
        a.cookie(),
        a.jwksCacheDuration(),
        a.jwksMinRefetch(),
        a.jwksTimeout());
  }

  /**
   * A request as the JWT filter sees it: headers (first value, and every value joined as the
   * exchange joins them), what it sets or drops upstream (null: dropped), its claims, its answer's
   * headers and a resume.
   */
  static final class JwtRequest extends FakeRequest {
    final Map<String, String> headers;

    /** Header values joined with ", " when a field came more than once. */
    final Map<String, String> more = new HashMap<>();

    final List<String> answer = new ArrayList<>();
    final Map<String, @Nullable String> upstream = new LinkedHashMap<>();
    @Nullable Map<String, Object> claims;
    @Nullable Integer resumed;
    final AtomicInteger resumes = new AtomicInteger();

    JwtRequest(Map<String, String> headers) {
      this.headers = headers;
    }

    static JwtRequest bearer(String token) {
      return new JwtRequest(Map.of("authorization", "Bearer " + token));
    }

    @Override
    public String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public @Nullable String headerValues(String lowerCaseName) {
      String m = more.get(lowerCaseName);
      return m != null ? m : headers.get(lowerCaseName);
    }

    @Override
    public void answerHeader(String lowerCaseName, String value) {
      answer.add(lowerCaseName);
      answer.add(value);
    }

    @Override
    public void upstreamHeader(String lowerCaseName, String value) {
      upstream.put(lowerCaseName, value);
    }

    @Override
    public void dropUpstreamHeader(String lowerCaseName) {
      upstream.put(lowerCaseName, null);
    }

    @Override
    public void verifiedClaims(Map<String, Object> c) {
      claims = c;
    }

    @Override
    public @Nullable Map<String, Object> verifiedClaims() {
      return claims;
    }

    @Override
    public void resume(int verdict) {
      if (resumes.getAndIncrement() == 0) {
        resumed = verdict;
      }
    }

    @Override
    public String requestId() {
      return "req-1";
    }

    @Override
    public @Nullable String authority() {
      return null;
    }
  }
}
