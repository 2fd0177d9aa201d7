package io.gatehouse.testing;

import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import java.time.Duration;
import java.util.List;

/**
 * Valid access-control policies (issue #15) with fields away from their defaults, shared through
 * cluster's test-jar: the validator, document, codec and REST tests round-trip them.
 */
public final class TestAccess {
  /** bcrypt (cost 4, fast for tests) of "secret". */
  public static final String SECRET_HASH =
      "$2y$04$TCyLO71WZ04U1RzoUfjq4.wcoEnSZZswZKOC3gFBZrpR09eiKkeUy";

  /** bcrypt (cost 4) of "hunter2". */
  public static final String HUNTER2_HASH =
      "$2y$04$TCyLO71WZ04U1RzoUfjq4.RojNMMNUpcZaeUthNHQyBv1uupJDGBG";

  /** An Argon2id hash in PHC form (its password does not matter to these tests). */
  public static final String ARGON2_HASH =
      "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

  /** A symmetric key (oct) for HS256; its {@code k} is the secret no answer may show. */
  public static final String OCT_JWKS =
      "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"hmac-1\",\"alg\":\"HS256\","
          + "\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\"}]}";

  /** A public RSA key (the modulus is short and not a real key; the structure is what counts). */
  public static final String RSA_JWKS =
      "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"use\":\"sig\",\"alg\":\"RS256\","
          + "\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\","
          + "\"e\":\"AQAB\"}]}";

  private TestAccess() {}

  public static IpAccess ipAccess() {
    return new IpAccess(List.of("10.0.0.0/8", "2001:db8::/32"), List.of("10.9.9.9"));
  }

  public static BasicAuth basicAuth() {
    return new BasicAuth(
        "Staff only",
        List.of(new BasicAuth.User("alice", SECRET_HASH), new BasicAuth.User("bob", ARGON2_HASH)),
        true);
  }

  /** Inline HMAC keys, every field set. */
  public static JwtAuth jwtInline() {
    return new JwtAuth(
        null,
        OCT_JWKS,
        List.of("HS256"),
        "https://issuer.example",
        List.of("api", "web"),
        Duration.ofSeconds(10),
        List.of("sub", "tenant"),
        List.of(
            new JwtAuth.ClaimHeader("sub", "x-user"), new JwtAuth.ClaimHeader("roles", "x-roles")),
        true,
        "x-token",
        "session",
        Duration.ofMinutes(5),
        Duration.ofSeconds(15),
        Duration.ofSeconds(2));
  }

  /** Keys from a URL, the defaults elsewhere. */
  public static JwtAuth jwtUri() {
    return new JwtAuth(
        "https://issuer.example/.well-known/jwks.json",
        null,
        JwtAuth.DEFAULT_ALGORITHMS,
        null,
        List.of(),
        JwtAuth.DEFAULT_CLOCK_SKEW,
        List.of(),
        List.of(),
        false,
        JwtAuth.DEFAULT_HEADER,
        null,
        JwtAuth.DEFAULT_JWKS_CACHE,
        JwtAuth.DEFAULT_JWKS_MIN_REFETCH,
        JwtAuth.DEFAULT_JWKS_TIMEOUT);
  }

  public static ForwardAuth forwardAuth() {
    return new ForwardAuth(
        "http://auth.internal:9000/check?x=1",
        "POST",
        List.of("authorization", "x-session"),
        List.of("x-user", "x-groups"),
        "https://login.example/start",
        Duration.ofSeconds(2),
        List.of("authorization"),
        Duration.ofSeconds(30));
  }

  public static RateLimit rateLimit() {
    return new RateLimit(
        "per-key",
        new LimitKey(LimitKey.Kind.HEADER, "x-api-key"),
        100,
        RateLimit.MINUTE,
        20,
        RateLimit.Scope.GLOBAL,
        List.of("192.168.0.0/16"));
  }

  public static ConnectionLimit connectionLimit() {
    return new ConnectionLimit(LimitKey.CLIENT_ADDRESS, 10, List.of("127.0.0.1"));
  }

  /**
   * One of each kind that can share a route (BasicAuth reads Authorization, so the JWT reads its
   * own header).
   */
  public static List<PolicySpec> all() {
    return List.of(
        ipAccess(), basicAuth(), jwtInline(), forwardAuth(), rateLimit(), connectionLimit());
  }
}
