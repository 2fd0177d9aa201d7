package io.gatehouse.policy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.validate.PolicyValidator;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission: a bearer JWT ({@link JwtAuth}) verified before anything reaches the upstream. The
 * token's {@code alg} must be on the route's list (never {@code none}: the compact form of an
 * unsecured JWT is not even parsed as a JWS), its key is chosen by {@code kid} among keys of the
 * algorithm's own type ({@link JwtKeySet}), so an HMAC token can never be checked with a public key
 * as its secret. Then {@code exp} (required: a token that never expires is a standing credential),
 * {@code nbf} with the clock skew, {@code iss}, {@code aud} and the required claims. A request
 * without a token gets 401 with a bare {@code WWW-Authenticate: Bearer realm} challenge, one with a
 * bad token 401 with {@code error="invalid_token"}, one with two candidate tokens 400 with {@code
 * error="invalid_request"} (RFC 6750 section 3.1); the body says nothing more and the reason goes
 * to the debug log with the request id. A verified request carries its claims to later filters, the
 * configured claims as upstream headers (the client's own copies of those headers always dropped)
 * and, unless forwarded, no token.
 *
 * <p>Keys from a URL come from the node's {@link JwtKeySource}: a request waits (suspended, never
 * blocking its loop) only when no usable set is held or its {@code kid} is new, and then for one
 * shared fetch bounded by the fetch timeout; a token whose key is still unknown after it is
 * refused. Per request with a cached key: the parse, one signature check and the claim checks (see
 * docs/benchmarks.md).
 */
public final class JwtFilter implements AdmissionFilter {
  private static final Logger LOG = LoggerFactory.getLogger(JwtFilter.class);

  /** A longer token is refused unread (the edge's 8 KiB header line bounds it anyway). */
  static final int MAX_TOKEN_CHARS = 8192;

  /** A token without {@code kid} is tried against at most this many keys of its type. */
  static final int MAX_KEYS_WITHOUT_KID = 4;

  /** A claim forwarded as a header is cut off past this (a longer one is not forwarded). */
  static final int MAX_CLAIM_HEADER_CHARS = 4096;

  /** The algorithms a route may allow; anything else (and {@code none}) fails the compile. */
  static final Set<String> SUPPORTED =
      Set.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
          "Ed25519", "HS256", "HS384", "HS512");

  private static final Set<String> HMAC = Set.of("HS256", "HS384", "HS512");

  private final RouteKey route;
  private final Set<JWSAlgorithm> algorithms;
  private final @Nullable JwtKeySet inline;
  private final @Nullable JwtKeySource source;
  private final LongSupplier clock;
  private final long skewMillis;
  private final @Nullable String issuer;
  private final List<String> audiences;
  private final String[] requiredClaims;
  private final String[] claimNames;
  private final String[] claimHeaders;
  private final boolean forwardToken;
  private final String header;
  private final boolean authorization;
  private final @Nullable String cookie;

  JwtFilter(JwtAuth spec, RouteKey route, PolicyServices services) {
    this(spec, route, services, System::currentTimeMillis);
  }

  /**
   * @throws IllegalArgumentException when the policy cannot be enforced as written (the route's
   *     compile reports it; nothing is served open)
   */
  JwtFilter(JwtAuth spec, RouteKey route, PolicyServices services, LongSupplier clock) {
    this.route = route;
    this.clock = clock;
    List<String> names =
        spec.algorithms().isEmpty() ? JwtAuth.DEFAULT_ALGORITHMS : spec.algorithms();
    Set<JWSAlgorithm> algs = new LinkedHashSet<>();
    boolean hmac = false;
    for (String a : names) {
      if ("none".equalsIgnoreCase(a)) {
        throw new IllegalArgumentException("JWT: algorithm \"none\" is never accepted");
      }
      if (!SUPPORTED.contains(a)) {
        throw new IllegalArgumentException(
            "JWT: algorithm \"" + a + "\" is not supported (one of " + sorted(SUPPORTED) + ")");
      }
      hmac |= HMAC.contains(a);
      algs.add(JWSAlgorithm.parse(a));
    }
    this.algorithms = Set.copyOf(algs);
    if ((spec.jwksUri() == null) == (spec.jwks() == null)) {
      throw new IllegalArgumentException("JWT: exactly one of jwksUri and jwks");
    }
    if (spec.jwksUri() != null) {
      if (hmac) {
        throw new IllegalArgumentException(
            "JWT: HS256, HS384 and HS512 need an inline symmetric (oct) key in jwks; a key set"
                + " fetched from jwksUri holds public keys, never an HMAC secret");
      }
      checkUri(spec.jwksUri());
      positive(spec.jwksCacheDuration(), "jwksCacheDuration");
      positive(spec.jwksTimeout(), "jwksTimeout");
      if (spec.jwksMinRefetch().isNegative()) {
        throw new IllegalArgumentException("JWT: jwksMinRefetch is negative");
      }
      this.inline = null;
      this.source = services.jwtKeys(spec); // throws without a node: never serve open
    } else {
      JwtKeySet keys = JwtKeySet.parse(spec.jwks(), true);
      if (!keys.skipped().isEmpty()) {
        throw new IllegalArgumentException(
            "JWT: jwks has keys that cannot verify: " + keys.skipped());
      }
      for (JWSAlgorithm a : algs) {
        if (HMAC.contains(a.getName()) && !keys.supports(a)) {
          throw new IllegalArgumentException(
              "JWT: " + a + " needs an inline oct key of at least its size in jwks");
        }
      }
      boolean any = false;
      for (JWSAlgorithm a : algs) {
        any |= keys.supports(a);
      }
      if (!any) {
        throw new IllegalArgumentException(
            "JWT: jwks has no key for any of the algorithms " + names);
      }
      this.inline = keys;
      this.source = null;
    }
    if (spec.clockSkew().isNegative()) {
      throw new IllegalArgumentException("JWT: clockSkew is negative");
    }
    this.skewMillis = spec.clockSkew().toMillis();
    this.issuer = spec.issuer();
    this.audiences = spec.audiences();
    this.requiredClaims = spec.requiredClaims().toArray(new String[0]);
    this.claimNames = new String[spec.claimHeaders().size()];
    this.claimHeaders = new String[claimNames.length];
    for (int i = 0; i < claimNames.length; i++) {
      JwtAuth.ClaimHeader c = spec.claimHeaders().get(i);
      String h = c.header().toLowerCase(Locale.ROOT);
      if (!isToken(h) || PolicyValidator.reserved(h)) {
        throw new IllegalArgumentException(
            "JWT: claim header \"" + c.header() + "\" is not a header a claim may set");
      }
      claimNames[i] = c.claim();
      claimHeaders[i] = h;
    }
    this.forwardToken = spec.forwardToken();
    this.header = spec.header().toLowerCase(Locale.ROOT);
    if (!isToken(header)) {
      throw new IllegalArgumentException("JWT: header \"" + spec.header() + "\" is not a name");
    }
    for (String h : claimHeaders) {
      if (h.equals(header)) {
        throw new IllegalArgumentException("JWT: claim header \"" + h + "\" is the token's header");
      }
    }
    this.authorization = header.equals("authorization");
    this.cookie = spec.cookie();
  }

  @Override
  public int admit(RequestContext r) {
    // The token: the header (Bearer scheme for Authorization), else the cookie.
    String raw = r.header(header);
    String token = null;
    boolean fromCookie = false;
    if (raw != null) {
      String all = r.headerValues(header);
      if (all != null && all.length() != raw.length()) {
        return refuse(r, 400, "invalid_request", "the token header comes more than once");
      }
      token = bearer(raw, authorization);
    }
    if (token == null && cookie != null) {
      token = JwtCookies.value(r, cookie);
      if (token == JwtCookies.AMBIGUOUS) {
        return refuse(r, 400, "invalid_request", "the token cookie comes more than once");
      }
      fromCookie = token != null;
    }
    if (token == null) {
      return refuse(r, 401, null, "no bearer token");
    }
    if (token.length() > MAX_TOKEN_CHARS || !compactJws(token)) {
      return refuse(r, 401, "invalid_token", "not a compact JWS");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      return refuse(r, 401, "invalid_token", "malformed (" + e.getClass().getSimpleName() + ")");
    }
    JWSHeader h = jwt.getHeader();
    JWSAlgorithm alg = h.getAlgorithm();
    if (!algorithms.contains(alg)) {
      return refuse(r, 401, "invalid_token", "algorithm " + alg + " is not allowed");
    }
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      return refuse(r, 401, "invalid_token", "critical header parameters are not understood");
    }
    JwtKeySource src = source;
    JwtKeySet keys = src == null ? requireInline() : src.current();
    if (src != null && keys.size() == 0) {
      return await(r, jwt, alg, fromCookie, src.refresh(false), false);
    }
    int verdict = check(r, jwt, alg, keys, fromCookie, src != null);
    if (verdict == UNKNOWN_KID && src != null) {
      return await(r, jwt, alg, fromCookie, src.refresh(true), true);
    }
    return verdict == UNKNOWN_KID ? unknownKid(r) : verdict;
  }

  /** A key set is on its way: go on now if it is already here, else when it comes. */
  private int await(
      RequestContext r,
      SignedJWT jwt,
      JWSAlgorithm alg,
      boolean fromCookie,
      CompletionStage<JwtKeySet> keys,
      boolean last) {
    CompletableFuture<JwtKeySet> f = keys.toCompletableFuture();
    if (f.isDone()) {
      return afterFetch(r, jwt, alg, fromCookie, f.getNow(JwtKeySet.EMPTY), last);
    }
    // The source completes on this request's loop (JwtKeySource#refresh), so the effects below
    // run there, as at admission.
    f.whenComplete(
        (k, e) -> {
          int v;
          try {
            v = afterFetch(r, jwt, alg, fromCookie, k == null ? JwtKeySet.EMPTY : k, last);
          } catch (RuntimeException ex) {
            LOG.warn("JWT check failed on route {}, request {}", route, r.requestId(), ex);
            v = 401;
          }
          r.resume(v);
        });
    return SUSPEND;
  }

  private int afterFetch(
      RequestContext r,
      SignedJWT jwt,
      JWSAlgorithm alg,
      boolean fromCookie,
      JwtKeySet keys,
      boolean last) {
    if (keys.size() == 0) {
      return refuse(r, 401, "invalid_token", "no JWK Set could be had from jwksUri");
    }
    int verdict = check(r, jwt, alg, keys, fromCookie, !last);
    if (verdict != UNKNOWN_KID) {
      return verdict;
    }
    JwtKeySource src = source;
    if (!last && src != null) {
      return await(r, jwt, alg, fromCookie, src.refresh(true), true);
    }
    return unknownKid(r);
  }

  private int unknownKid(RequestContext r) {
    return refuse(r, 401, "invalid_token", "no key for its kid and algorithm");
  }

  /** An internal verdict: the token's kid is not in the set (a refetch may find it). */
  private static final int UNKNOWN_KID = -100;

  /**
   * Verifies the signature and the claims; on success hands the request its effects and returns
   * {@link #PROCEED}.
   *
   * @param mayRefetch whether an unknown kid may ask for a refetch ({@link #UNKNOWN_KID})
   */
  private int check(
      RequestContext r,
      SignedJWT jwt,
      JWSAlgorithm alg,
      JwtKeySet keys,
      boolean fromCookie,
      boolean mayRefetch) {
    String kid = jwt.getHeader().getKeyID();
    boolean verified = false;
    boolean matched = false;
    int tried = 0;
    try {
      for (JwtKeySet.Key k : keys.keys()) {
        if (!k.fits(alg) || (kid != null && !kid.equals(k.kid()))) {
          continue;
        }
        matched = true;
        if (kid == null && ++tried > MAX_KEYS_WITHOUT_KID) {
          break;
        }
        if (k.check().verify(jwt)) {
          verified = true;
          break;
        }
        if (kid != null) {
          break; // one key per kid: the first that fits is the one
        }
      }
    } catch (JOSEException | RuntimeException e) {
      return refuse(
          r, 401, "invalid_token", "signature check failed (" + e.getClass().getSimpleName() + ")");
    }
    if (!matched) {
      if (kid != null && mayRefetch) {
        return UNKNOWN_KID;
      }
      return refuse(r, 401, "invalid_token", "no key for its kid and algorithm");
    }
    if (!verified) {
      return refuse(r, 401, "invalid_token", "bad signature");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      return refuse(r, 401, "invalid_token", "claims are not a JWT claims set");
    }
    String why = claimsProblem(claims, clock.getAsLong());
    if (why != null) {
      return refuse(r, 401, "invalid_token", why);
    }
    Map<String, Object> json = Collections.unmodifiableMap(claims.toJSONObject());
    r.verifiedClaims(json);
    for (int i = 0; i < claimNames.length; i++) {
      String value = headerText(json.get(claimNames[i]));
      if (value == null) {
        r.dropUpstreamHeader(claimHeaders[i]);
      } else {
        r.upstreamHeader(claimHeaders[i], value);
      }
    }
    if (!forwardToken) {
      if (fromCookie) {
        JwtCookies.dropFromUpstream(r, cookie == null ? "" : cookie);
      } else {
        r.dropUpstreamHeader(header);
      }
    }
    return PROCEED;
  }

  /** Why the claims are refused, or null. */
  @Nullable String claimsProblem(JWTClaimsSet c, long nowMillis) {
    Date exp = c.getExpirationTime();
    if (exp == null) {
      return "no exp";
    }
    if (nowMillis - skewMillis >= exp.getTime()) {
      return "expired";
    }
    Date nbf = c.getNotBeforeTime();
    if (nbf != null && nowMillis + skewMillis < nbf.getTime()) {
      return "not valid yet (nbf)";
    }
    if (issuer != null && !issuer.equals(c.getIssuer())) {
      return "wrong issuer";
    }
    if (!audiences.isEmpty()) {
      List<String> aud = c.getAudience();
      boolean any = false;
      for (String a : aud) {
        if (audiences.contains(a)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return "wrong audience";
      }
    }
    for (String name : requiredClaims) {
      if (c.getClaim(name) == null) {
        return "missing claim " + name;
      }
    }
    return null;
  }

  private JwtKeySet requireInline() {
    JwtKeySet k = inline;
    return k == null ? JwtKeySet.EMPTY : k;
  }

  /**
   * Answers {@code status} with the Bearer challenge; logs why at debug with the request id. The
   * reason names no part of the token.
   */
  private int refuse(RequestContext r, int status, @Nullable String error, String reason) {
    StringBuilder challenge = new StringBuilder(64).append("Bearer realm=\"");
    challenge.append(realm(r.host())).append('"');
    if (error != null) {
      challenge.append(", error=\"").append(error).append('"');
    }
    r.answerHeader("www-authenticate", challenge.toString());
    if (LOG.isDebugEnabled()) {
      LOG.debug("JWT refused on route {}, request {}: {}", route, r.requestId(), reason);
    }
    return status;
  }

  /** The request's host as the realm, when it is a plain host name; else a fixed word. */
  static String realm(@Nullable String host) {
    if (host == null || host.isEmpty() || host.length() > 253) {
      return "gatehouse";
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-'
          || c == ':'
          || c == '['
          || c == ']')) {
        return "gatehouse";
      }
    }
    return host;
  }

  /**
   * The token of a header value: for Authorization, the credentials of the Bearer scheme (RFC 6750
   * section 2.1, scheme case-insensitive), else null; for another header, the value, with a leading
   * {@code Bearer } taken off.
   */
  static @Nullable String bearer(String value, boolean authorization) {
    String v = value.strip();
    boolean scheme =
        v.length() > 7 && v.regionMatches(true, 0, "bearer", 0, 6) && v.charAt(6) == ' ';
    if (scheme) {
      v = v.substring(7).strip();
    } else if (authorization) {
      return null;
    }
    return v.isEmpty() ? null : v;
  }

  /** Whether the token has the compact JWS shape: three base64url parts, two dots. */
  static boolean compactJws(String t) {
    int dots = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_')) {
        return false;
      }
    }
    return dots == 2;
  }

  /**
   * A claim as a header value: a string, number or boolean as text, an array of strings joined with
   * {@code ,}; null (not forwarded) for anything else, or a value with a character outside
   * printable ASCII (a header cannot carry it faithfully), or one longer than {@link
   * #MAX_CLAIM_HEADER_CHARS}.
   */
  static @Nullable String headerText(@Nullable Object v) {
    String s;
    if (v instanceof String str) {
      s = str;
    } else if (v instanceof Number || v instanceof Boolean) {
      s = v.toString();
    } else if (v instanceof List<?> list) {
      StringBuilder b = new StringBuilder();
      for (Object o : list) {
        if (!(o instanceof String str)) {
          return null;
        }
        if (b.length() > 0) {
          b.append(',');
        }
        b.append(str);
      }
      s = b.toString();
    } else {
      return null;
    }
    if (s.length() > MAX_CLAIM_HEADER_CHARS) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return null;
      }
    }
    return s.strip();
  }

  private static boolean isToken(String name) {
    if (name.isEmpty() || name.length() > 64) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || "!#$%&'*+.^_`|~-".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private static void checkUri(@Nullable String uri) {
    URI u;
    try {
      u = new URI(uri == null ? "" : uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("JWT: jwksUri is not a URI: " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null) {
      throw new IllegalArgumentException("JWT: jwksUri must be an absolute http or https URL");
    }
  }

  private static void positive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("JWT: " + name + " must be positive");
    }
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
