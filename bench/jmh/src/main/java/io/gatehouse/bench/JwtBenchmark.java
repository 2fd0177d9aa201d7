package io.gatehouse.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.policy.PolicyChain;
import io.gatehouse.policy.PolicyCompiler;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * µs per request of a route's JWT policy with its key already held (inline, as a fetched JWK Set is
 * after its first fetch): the token read, parsed, its signature checked, its claims checked and one
 * claim set as an upstream header ({@code verify}); {@code forged}: the same token with one byte of
 * its signature changed, the cost an attacker makes the node pay per request.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class JwtBenchmark {
  @Param({"RS256", "ES256", "HS256"})
  public String alg;

  PolicyChain chain;
  Request valid;
  Request forged;

  @Setup
  public void setUp() throws JOSEException {
    JWK key;
    JWSSigner signer;
    switch (alg) {
      case "RS256" -> {
        RSAKey k = new RSAKeyGenerator(2048).keyID("k").generate();
        key = k.toPublicJWK();
        signer = new RSASSASigner(k);
      }
      case "ES256" -> {
        ECKey k = new ECKeyGenerator(Curve.P_256).keyID("k").generate();
        key = k.toPublicJWK();
        signer = new ECDSASigner(k);
      }
      default -> {
        OctetSequenceKey k = new OctetSequenceKeyGenerator(256).keyID("k").generate();
        key = k;
        signer = new MACSigner(k);
      }
    }
    JwtAuth policy =
        new JwtAuth(
            null,
            new JWKSet(key).toString(false),
            List.of(alg),
            "https://idp.example",
            List.of("api"),
            Duration.ofSeconds(30),
            List.of("sub"),
            List.of(new JwtAuth.ClaimHeader("sub", "x-user")),
            false,
            JwtAuth.DEFAULT_HEADER,
            null,
            JwtAuth.DEFAULT_JWKS_CACHE,
            JwtAuth.DEFAULT_JWKS_MIN_REFETCH,
            JwtAuth.DEFAULT_JWKS_TIMEOUT);
    RouteSpec route =
        RouteSpec.simple(
                RouteKey.of("default", "bench", "jwt"),
                List.of("api.example"),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9000))))
            .withPolicies(List.of(policy));
    chain = PolicyCompiler.compile(route, null);
    long now = System.currentTimeMillis();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.parse(alg)).keyID("k").build(),
            new JWTClaimsSet.Builder()
                .issuer("https://idp.example")
                .audience("api")
                .subject("alice")
                .issueTime(new Date(now))
                .expirationTime(new Date(now + 3_600_000))
                .build());
    jwt.sign(signer);
    String token = jwt.serialize();
    valid = new Request("Bearer " + token);
    char last = token.charAt(token.length() - 2);
    forged =
        new Request(
            "Bearer "
                + token.substring(0, token.length() - 2)
                + (last == 'A' ? 'B' : 'A')
                + token.charAt(token.length() - 1));
    if (chain.admitFrom(valid, 0) != 0 || chain.admitFrom(forged, 0) != 401) {
      throw new IllegalStateException("the benchmark's tokens do not behave");
    }
  }

  @Benchmark
  public int verify() {
    return chain.admitFrom(valid, 0);
  }

  @Benchmark
  public int forged() {
    return chain.admitFrom(forged, 0);
  }

  /** The request as the filter sees it; what it sets is dropped. */
  static final class Request extends BenchRequest {
    final String authorization;

    Request(String authorization) {
      this.authorization = authorization;
    }

    @Override
    public String header(String lowerCaseName) {
      return lowerCaseName.equals("authorization") ? authorization : null;
    }

    @Override
    public String host() {
      return "api.example";
    }

    @Override
    public String authority() {
      return null;
    }
  }
}
