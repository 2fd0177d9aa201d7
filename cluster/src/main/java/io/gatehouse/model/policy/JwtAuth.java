package io.gatehouse.model.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Bearer JSON Web Tokens (RFC 7519) verified at the edge. The token comes from {@code header} (with
 * the {@code Bearer} scheme when that header is {@code authorization}) or from {@code cookie}; its
 * signature is checked with a key from {@code jwksUri} (fetched, cached, refetched on an unknown
 * {@code kid} at most once per {@code jwksMinRefetch}) or from {@code jwks}; its algorithm must be
 * in {@code algorithms} ({@code none} never is, and an HMAC algorithm is accepted only with an
 * inline symmetric key, never with a public one). A request without a valid token is answered 401
 * with a {@code WWW-Authenticate: Bearer} challenge (RFC 6750) and nothing reaches the upstream.
 *
 * @param jwksUri an {@code https} (or, for tests and in-cluster services, {@code http}) URL of a
 *     JWK Set; null when {@code jwks} is given
 * @param jwks an inline JWK Set (JSON) with public keys, or symmetric keys for HMAC; null when
 *     {@code jwksUri} is given
 * @param algorithms the JWS algorithms accepted (RS256, RS384, RS512, PS256, PS384, PS512, ES256,
 *     ES384, ES512, EdDSA, and HS256, HS384, HS512 with inline keys only)
 * @param issuer the required {@code iss}, or null for any
 * @param audiences {@code aud} must name at least one of these; empty: not checked
 * @param clockSkew leeway for {@code exp} and {@code nbf}
 * @param requiredClaims claims the token must carry
 * @param claimHeaders claims forwarded to the upstream as headers (the client's own values of those
 *     headers are always removed)
 * @param forwardToken whether the token reaches the upstream; false removes it
 * @param header the request header the token is read from (lower case)
 * @param cookie a cookie the token is read from when the header is absent, or null
 * @param jwksCacheDuration how long a fetched JWK Set is used before it is fetched again
 * @param jwksMinRefetch the shortest time between two fetches of the JWK Set (bounds the fetch rate
 *     an attacker can cause with unknown {@code kid}s)
 * @param jwksTimeout the limit on one fetch
 */
public record JwtAuth(
    @Nullable String jwksUri,
    @Nullable String jwks,
    List<String> algorithms,
    @Nullable String issuer,
    List<String> audiences,
    Duration clockSkew,
    List<String> requiredClaims,
    List<ClaimHeader> claimHeaders,
    boolean forwardToken,
    String header,
    @Nullable String cookie,
    Duration jwksCacheDuration,
    Duration jwksMinRefetch,
    Duration jwksTimeout)
    implements PolicySpec {
  /**
   * One claim forwarded as a header.
   *
   * @param claim the claim name (a top-level claim; a string, number or boolean is forwarded as
   *     text, an array of strings joined with {@code ,}; any other value is not forwarded)
   * @param header the header name (lower case)
   */
  public record ClaimHeader(String claim, String header) {
    public ClaimHeader {
      Objects.requireNonNull(claim, "claim");
      Objects.requireNonNull(header, "header");
    }
  }

  public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
  public static final String DEFAULT_HEADER = "authorization";
  public static final Duration DEFAULT_JWKS_CACHE = Duration.ofMinutes(10);
  public static final Duration DEFAULT_JWKS_MIN_REFETCH = Duration.ofSeconds(30);
  public static final Duration DEFAULT_JWKS_TIMEOUT = Duration.ofSeconds(5);

  public JwtAuth {
    algorithms = algorithms == null ? List.of() : List.copyOf(algorithms);
    audiences = audiences == null ? List.of() : List.copyOf(audiences);
    requiredClaims = requiredClaims == null ? List.of() : List.copyOf(requiredClaims);
    claimHeaders = claimHeaders == null ? List.of() : List.copyOf(claimHeaders);
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(jwksCacheDuration, "jwksCacheDuration");
    Objects.requireNonNull(jwksMinRefetch, "jwksMinRefetch");
    Objects.requireNonNull(jwksTimeout, "jwksTimeout");
  }

  /** Names the key source, not inline key material. */
  @Override
  public String toString() {
    return "JwtAuth["
        + (jwksUri != null
            ? "jwksUri=" + jwksUri
            : "jwks=" + (jwks == null ? 0 : jwks.length()) + " chars")
        + ", algorithms="
        + algorithms
        + ", issuer="
        + issuer
        + ", audiences="
        + audiences
        + "]";
  }
}
