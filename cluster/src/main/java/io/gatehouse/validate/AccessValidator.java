package io.gatehouse.validate;

import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rules of the access-control policies (issue #15): IP rules, basic auth, JWT, forward auth,
 * rate and concurrency limits. Header names are lower-cased, as the proxy compares them. A
 * violation never carries a secret: a bad password hash is reported with its user's name, an inline
 * JWK Set by its size.
 */
public final class AccessValidator {
  public static final int MAX_CIDRS = 1024;
  public static final int MAX_USERS = 1024;
  public static final int MAX_REALM = 128;
  public static final int MAX_USER_NAME = 255;
  public static final int MAX_NAMES = 32;
  public static final int MAX_CLAIM_HEADERS = 16;
  public static final int MAX_AUDIENCES = 16;
  public static final int MAX_CACHE_KEY = 8;
  public static final int MAX_TEXT = 1024;
  public static final int MAX_JWKS_CHARS = 64 * 1024;
  public static final long MAX_REQUESTS = 1_000_000_000L;
  public static final int MAX_CONCURRENT = 1_000_000;
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  public static final Duration MAX_JWKS_CACHE = Duration.ofDays(1);
  public static final Duration MAX_JWKS_MIN_REFETCH = Duration.ofHours(1);
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
  public static final Duration MAX_AUTH_CACHE = Duration.ofHours(1);

  /** The JWS algorithms Gatehouse verifies (RFC 7518, RFC 8037); HMAC only with inline keys. */
  public static final Set<String> ALGORITHMS =
      new LinkedHashSet<>(
          List.of(
              "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA", "HS256", "HS384", "HS512"));

  public static final String CIDR_RULE =
      "an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32";
  public static final String CIDRS_RULE = "at most " + MAX_CIDRS + " CIDRs";
  public static final String IP_EMPTY_RULE = "at least one CIDR in allow or deny";
  public static final String REALM_RULE =
      "1-" + MAX_REALM + " printable ASCII characters without '\"' or '\\'";
  public static final String USERS_RULE = "1-" + MAX_USERS + " users";
  public static final String USER_NAME_RULE =
      "a user name of 1-" + MAX_USER_NAME + " characters without ':' or control characters";
  public static final String USER_ONCE_RULE = "each user name once";
  public static final String ONE_BASIC_RULE = "at most one BasicAuth per route";
  public static final String BASIC_AND_JWT_RULE =
      "BasicAuth or a JwtAuth reading the Authorization header, not both (a request carries one"
          + " Authorization)";
  public static final String KEY_SOURCE_RULE = "exactly one of jwksUri and jwks";
  public static final String URL_RULE =
      "an absolute http or https URL with a host, of at most 2048 printable ASCII characters,"
          + " without user info or fragment";
  public static final String JWKS_RULE =
      "a JWK Set of at most "
          + MAX_JWKS_CHARS
          + " characters with public keys (RSA, EC, OKP) or symmetric keys (oct), no private key"
          + " members (d, p, q, dp, dq, qi, oth): the edge needs public keys only";
  public static final String ALGORITHMS_RULE =
      "1-13 of " + String.join(", ", ALGORITHMS) + ", each once";
  public static final String HMAC_RULE =
      "HS256, HS384 or HS512 only with inline symmetric (oct) keys in jwks, never with jwksUri or"
          + " public keys (a public key used as an HMAC secret lets anyone sign)";
  public static final String TEXT_RULE = "1-" + MAX_TEXT + " characters without control characters";
  public static final String AUDIENCES_RULE = "at most " + MAX_AUDIENCES + " audiences";
  public static final String CLAIM_RULE =
      "a claim name of 1-64 characters without control characters";
  public static final String HEADER_RULE = "a header field name token of 1-64 characters";
  public static final String OWNED_HEADER_RULE = PolicyValidator.RESERVED_RULE;
  public static final String HEADER_ONCE_RULE = "each header once";
  public static final String COOKIE_RULE = "a cookie name token of 1-64 characters";
  public static final String SKEW_RULE = "0 to 5 minutes";
  public static final String JWKS_CACHE_RULE = "1 second to 1 day";
  public static final String JWKS_REFETCH_RULE = "1 second to 1 hour, at most jwksCacheDuration";
  public static final String TIMEOUT_RULE = "10 milliseconds to 1 minute";
  public static final String METHOD_RULE = "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS";
  public static final String SIGNIN_RULE =
      "an absolute http or https URL, or a path starting with '/', of at most 2048 printable"
          + " ASCII characters";
  public static final String CACHE_RULE = "0 to 1 hour";
  public static final String SIGNIN_REDIRECT_PARAM_RULE =
      "a query parameter name of 1 to 64 letters, digits, '-', '.', '_' or '~'";
  private static final Pattern REDIRECT_PARAM = Pattern.compile("[A-Za-z0-9._~-]{1,64}");
  public static final String CACHE_KEY_RULE =
      "0 without cacheKey headers (an empty cacheKey caches nothing)";
  public static final String LIMIT_NAME_RULE = "a name of 1-64 letters, digits, '-', '_' or '.'";
  public static final String LIMIT_NAME_ONCE_RULE = "each RateLimit name once per route";
  public static final String REQUESTS_RULE = "1 to " + MAX_REQUESTS;
  public static final String PER_RULE = "one second or one minute";
  public static final String BURST_RULE = "1 to " + MAX_REQUESTS;
  public static final String MAX_RULE = "1 to " + MAX_CONCURRENT;
  public static final String KEY_NAME_RULE =
      "a header name with type Header, a claim name with type Claim, no name otherwise";
  public static final String CLAIM_KEY_RULE =
      "a Claim key only on a route with a JwtAuth policy (its claims are the verified ones)";

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
  private static final Pattern LIMIT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /** A JSON member named like a private (or CRT) parameter of an RSA, EC or OKP key. */
  private static final Pattern PRIVATE_MEMBER = Pattern.compile("\"(d|p|q|dp|dq|qi|oth)\"\\s*:");

  private static final Pattern OCT_KEY = Pattern.compile("\"kty\"\\s*:\\s*\"oct\"");

  private AccessValidator() {}

  // ---- IpAccess

  static PolicySpec ipAccess(IpAccess a, String f, List<Violation> out) {
    cidrs(a.allow(), f + ".allow", out);
    cidrs(a.deny(), f + ".deny", out);
    if (a.allow().isEmpty() && a.deny().isEmpty()) {
      out.add(new Violation(f + ".allow", "[]", IP_EMPTY_RULE));
    }
    return a;
  }

  /** CIDRs checked by {@link Cidrs#problem}, the one parser every access rule uses. */
  static void cidrs(List<String> cidrs, String f, List<Violation> out) {
    if (cidrs.size() > MAX_CIDRS) {
      out.add(new Violation(f, cidrs.size() + " CIDRs", CIDRS_RULE));
      return;
    }
    for (int i = 0; i < cidrs.size(); i++) {
      String c = cidrs.get(i);
      if (c == null || !c.equals(c.strip()) || Cidrs.problem(c) != null) {
        out.add(new Violation(f + "[" + i + "]", c, CIDR_RULE));
      }
    }
  }

  // ---- BasicAuth

  static PolicySpec basicAuth(BasicAuth b, String f, List<Violation> out) {
    if (!realmOk(b.realm())) {
      out.add(new Violation(f + ".realm", b.realm(), REALM_RULE));
    }
    List<BasicAuth.User> users = b.users();
    if (users.isEmpty() || users.size() > MAX_USERS) {
      out.add(new Violation(f + ".users", users.size() + " users", USERS_RULE));
      return b;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < users.size(); i++) {
      BasicAuth.User u = users.get(i);
      String uf = f + ".users[" + i + "]";
      if (!userNameOk(u.name())) {
        out.add(new Violation(uf + ".name", u.name(), USER_NAME_RULE));
      } else if (!names.add(u.name())) {
        out.add(new Violation(uf + ".name", u.name(), USER_ONCE_RULE));
      }
      String problem = Htpasswd.problem(u.hash());
      if (problem != null) {
        // The value shown is the user, never the hash: problems reach logs and API answers.
        out.add(new Violation(uf + ".hash", "hash of user " + u.name(), problem));
      }
    }
    return b;
  }

  private static boolean realmOk(String realm) {
    if (realm.isEmpty() || realm.length() > MAX_REALM) {
      return false;
    }
    for (int i = 0; i < realm.length(); i++) {
      char c = realm.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static boolean userNameOk(String name) {
    if (name.isEmpty() || name.length() > MAX_USER_NAME) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == ':') {
        return false;
      }
    }
    return true;
  }

  // ---- JwtAuth

  static PolicySpec jwtAuth(JwtAuth j, String f, List<Violation> out) {
    boolean uri = j.jwksUri() != null;
    boolean inline = j.jwks() != null;
    if (uri == inline) {
      out.add(
          new Violation(
              f + ".jwksUri",
              uri ? "jwksUri and jwks" : "neither jwksUri nor jwks",
              KEY_SOURCE_RULE));
    }
    if (uri && url(j.jwksUri()) == null) {
      out.add(new Violation(f + ".jwksUri", j.jwksUri(), URL_RULE));
    }
    boolean octKeys = false;
    String jwks = j.jwks();
    if (jwks != null) {
      if (jwks.length() > MAX_JWKS_CHARS
          || !jwks.strip().startsWith("{")
          || PRIVATE_MEMBER.matcher(jwks).find()) {
        // Shown by its size: an inline key set may hold symmetric key material.
        out.add(new Violation(f + ".jwks", jwks.length() + " characters", JWKS_RULE));
      }
      octKeys = OCT_KEY.matcher(jwks).find();
    }
    List<String> algorithms = new ArrayList<>();
    if (j.algorithms().isEmpty() || j.algorithms().size() > ALGORITHMS.size()) {
      out.add(new Violation(f + ".algorithms", j.algorithms().toString(), ALGORITHMS_RULE));
    }
    for (int i = 0; i < j.algorithms().size(); i++) {
      String a = canonicalAlgorithm(j.algorithms().get(i));
      if (a == null || algorithms.contains(a)) {
        out.add(
            new Violation(f + ".algorithms[" + i + "]", j.algorithms().get(i), ALGORITHMS_RULE));
        continue;
      }
      algorithms.add(a);
      if (a.startsWith("HS") && (!inline || !octKeys)) {
        out.add(new Violation(f + ".algorithms[" + i + "]", a, HMAC_RULE));
      }
    }
    if (j.issuer() != null && !textOk(j.issuer())) {
      out.add(new Violation(f + ".issuer", j.issuer(), TEXT_RULE));
    }
    if (j.audiences().size() > MAX_AUDIENCES) {
      out.add(new Violation(f + ".audiences", j.audiences().size() + " audiences", AUDIENCES_RULE));
    }
    for (int i = 0; i < j.audiences().size(); i++) {
      if (!textOk(j.audiences().get(i))) {
        out.add(new Violation(f + ".audiences[" + i + "]", j.audiences().get(i), TEXT_RULE));
      }
    }
    if (j.clockSkew().isNegative() || j.clockSkew().compareTo(MAX_CLOCK_SKEW) > 0) {
      out.add(new Violation(f + ".clockSkew", j.clockSkew().toString(), SKEW_RULE));
    }
    if (j.requiredClaims().size() > MAX_NAMES) {
      out.add(
          new Violation(
              f + ".requiredClaims",
              j.requiredClaims().size() + " claims",
              "at most " + MAX_NAMES));
    }
    for (int i = 0; i < j.requiredClaims().size(); i++) {
      if (!claimOk(j.requiredClaims().get(i))) {
        out.add(
            new Violation(f + ".requiredClaims[" + i + "]", j.requiredClaims().get(i), CLAIM_RULE));
      }
    }
    List<JwtAuth.ClaimHeader> claimHeaders = new ArrayList<>();
    if (j.claimHeaders().size() > MAX_CLAIM_HEADERS) {
      out.add(
          new Violation(
              f + ".claimHeaders",
              j.claimHeaders().size() + " headers",
              "at most " + MAX_CLAIM_HEADERS));
    }
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < j.claimHeaders().size(); i++) {
      JwtAuth.ClaimHeader ch = j.claimHeaders().get(i);
      String cf = f + ".claimHeaders[" + i + "]";
      if (!claimOk(ch.claim())) {
        out.add(new Violation(cf + ".claim", ch.claim(), CLAIM_RULE));
      }
      String h = upstreamHeader(ch.header(), cf + ".header", seen, out);
      claimHeaders.add(new JwtAuth.ClaimHeader(ch.claim(), h == null ? ch.header() : h));
    }
    String header = headerName(j.header(), f + ".header", out);
    if (j.cookie() != null && !TOKEN.matcher(j.cookie()).matches()) {
      out.add(new Violation(f + ".cookie", j.cookie(), COOKIE_RULE));
    }
    if (outside(j.jwksCacheDuration(), Duration.ofSeconds(1), MAX_JWKS_CACHE)) {
      out.add(
          new Violation(
              f + ".jwksCacheDuration", j.jwksCacheDuration().toString(), JWKS_CACHE_RULE));
    }
    if (outside(j.jwksMinRefetch(), Duration.ofSeconds(1), MAX_JWKS_MIN_REFETCH)
        || j.jwksMinRefetch().compareTo(j.jwksCacheDuration()) > 0) {
      out.add(
          new Violation(f + ".jwksMinRefetch", j.jwksMinRefetch().toString(), JWKS_REFETCH_RULE));
    }
    if (outside(j.jwksTimeout(), MIN_TIMEOUT, MAX_TIMEOUT)) {
      out.add(new Violation(f + ".jwksTimeout", j.jwksTimeout().toString(), TIMEOUT_RULE));
    }
    return new JwtAuth(
        j.jwksUri(),
        j.jwks(),
        algorithms.size() == j.algorithms().size() ? algorithms : j.algorithms(),
        j.issuer(),
        j.audiences(),
        j.clockSkew(),
        j.requiredClaims(),
        claimHeaders,
        j.forwardToken(),
        header == null ? j.header() : header,
        j.cookie(),
        j.jwksCacheDuration(),
        j.jwksMinRefetch(),
        j.jwksTimeout());
  }

  /** The algorithm's registered spelling (any case given), or null for one Gatehouse refuses. */
  static @Nullable String canonicalAlgorithm(@Nullable String given) {
    if (given == null) {
      return null;
    }
    for (String a : ALGORITHMS) {
      if (a.equalsIgnoreCase(given)) {
        return a;
      }
    }
    return null; // "none" among them: never accepted
  }

  private static boolean claimOk(String claim) {
    return !claim.isEmpty() && claim.length() <= 64 && noControls(claim);
  }

  private static boolean textOk(String text) {
    return !text.isEmpty() && text.length() <= MAX_TEXT && noControls(text);
  }

  private static boolean noControls(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  // ---- ForwardAuth

  static PolicySpec forwardAuth(ForwardAuth a, String f, List<Violation> out) {
    if (url(a.url()) == null) {
      out.add(new Violation(f + ".url", a.url(), URL_RULE));
    }
    String method = a.method().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      out.add(new Violation(f + ".method", a.method(), METHOD_RULE));
    }
    List<String> request = headerNames(a.requestHeaders(), f + ".requestHeaders", false, out);
    List<String> response = headerNames(a.responseHeaders(), f + ".responseHeaders", true, out);
    String signin = a.signin();
    if (signin != null && !signinOk(signin)) {
      out.add(new Violation(f + ".signin", signin, SIGNIN_RULE));
    }
    if (outside(a.timeout(), MIN_TIMEOUT, MAX_TIMEOUT)) {
      out.add(new Violation(f + ".timeout", a.timeout().toString(), TIMEOUT_RULE));
    }
    List<String> cacheKey = a.cacheKey();
    if (cacheKey.size() > MAX_CACHE_KEY) {
      out.add(
          new Violation(f + ".cacheKey", cacheKey.size() + " headers", "at most " + MAX_CACHE_KEY));
    } else {
      cacheKey = headerNames(cacheKey, f + ".cacheKey", false, out);
    }
    if (a.cacheDuration().isNegative() || a.cacheDuration().compareTo(MAX_AUTH_CACHE) > 0) {
      out.add(new Violation(f + ".cacheDuration", a.cacheDuration().toString(), CACHE_RULE));
    } else if (a.cacheKey().isEmpty() && !a.cacheDuration().isZero()) {
      out.add(new Violation(f + ".cacheDuration", a.cacheDuration().toString(), CACHE_KEY_RULE));
    }
    if (!REDIRECT_PARAM.matcher(a.signinRedirectParam()).matches()) {
      out.add(
          new Violation(
              f + ".signinRedirectParam", a.signinRedirectParam(), SIGNIN_REDIRECT_PARAM_RULE));
    }
    return new ForwardAuth(
        a.url(),
        method,
        request,
        response,
        signin,
        a.timeout(),
        cacheKey,
        a.cacheDuration(),
        a.signinRedirect(),
        a.signinRedirectParam());
  }

  private static boolean signinOk(String signin) {
    if (signin.startsWith("/")) {
      return signin.length() <= 2048 && !signin.startsWith("//") && printableAscii(signin);
    }
    return url(signin) != null;
  }

  // ---- RateLimit and ConnectionLimit

  static PolicySpec rateLimit(RateLimit r, String f, List<Violation> out) {
    if (r.name() != null && !LIMIT_NAME.matcher(r.name()).matches()) {
      out.add(new Violation(f + ".name", r.name(), LIMIT_NAME_RULE));
    }
    LimitKey key = limitKey(r.key(), f + ".key", out);
    if (r.requests() < 1 || r.requests() > MAX_REQUESTS) {
      out.add(new Violation(f + ".requests", Long.toString(r.requests()), REQUESTS_RULE));
    }
    if (!r.per().equals(RateLimit.SECOND) && !r.per().equals(RateLimit.MINUTE)) {
      out.add(new Violation(f + ".per", r.per().toString(), PER_RULE));
    }
    if (r.burst() < 1 || r.burst() > MAX_REQUESTS) {
      out.add(new Violation(f + ".burst", Long.toString(r.burst()), BURST_RULE));
    }
    cidrs(r.exempt(), f + ".exempt", out);
    return new RateLimit(r.name(), key, r.requests(), r.per(), r.burst(), r.scope(), r.exempt());
  }

  static PolicySpec connectionLimit(ConnectionLimit c, String f, List<Violation> out) {
    LimitKey key = limitKey(c.key(), f + ".key", out);
    if (c.max() < 1 || c.max() > MAX_CONCURRENT) {
      out.add(new Violation(f + ".max", Integer.toString(c.max()), MAX_RULE));
    }
    cidrs(c.exempt(), f + ".exempt", out);
    return new ConnectionLimit(key, c.max(), c.exempt());
  }

  private static LimitKey limitKey(LimitKey k, String f, List<Violation> out) {
    String name = k.name();
    switch (k.kind()) {
      case HEADER -> {
        String h = name == null ? null : headerName(name, f + ".name", out);
        if (name == null) {
          out.add(new Violation(f + ".name", null, KEY_NAME_RULE));
        }
        return h == null ? k : new LimitKey(k.kind(), h);
      }
      case CLAIM -> {
        if (name == null || !claimOk(name)) {
          out.add(new Violation(f + ".name", name, KEY_NAME_RULE));
        }
        return k;
      }
      default -> {
        if (name != null) {
          out.add(new Violation(f + ".name", name, KEY_NAME_RULE));
        }
        return k;
      }
    }
  }

  // ---- the route's policies together

  /**
   * Rules across a route's access policies: one BasicAuth, not beside a JwtAuth reading the
   * Authorization header, distinct RateLimit names, a Claim key only with a JwtAuth.
   */
  static void checkRoute(List<PolicySpec> policies, List<Violation> out) {
    int basic = 0;
    boolean jwtOnAuthorization = false;
    boolean jwt = false;
    Set<String> names = new HashSet<>();
    for (PolicySpec p : policies) {
      basic += p instanceof BasicAuth ? 1 : 0;
      if (p instanceof JwtAuth j) {
        jwt = true;
        jwtOnAuthorization |= j.header().equalsIgnoreCase(JwtAuth.DEFAULT_HEADER);
      }
    }
    for (int i = 0; i < policies.size(); i++) {
      PolicySpec p = policies.get(i);
      String f = "policies[" + i + "]";
      if (p instanceof BasicAuth && basic > 1) {
        out.add(new Violation(f + ".type", "BasicAuth", ONE_BASIC_RULE));
      }
      if (p instanceof BasicAuth && jwtOnAuthorization) {
        out.add(new Violation(f + ".type", "BasicAuth", BASIC_AND_JWT_RULE));
      }
      if (p instanceof RateLimit r && !names.add(r.policyName())) {
        out.add(new Violation(f + ".name", r.policyName(), LIMIT_NAME_ONCE_RULE));
      }
      LimitKey key =
          p instanceof RateLimit r ? r.key() : p instanceof ConnectionLimit c ? c.key() : null;
      if (key != null && key.kind() == LimitKey.Kind.CLAIM && !jwt) {
        out.add(new Violation(f + ".key.type", "Claim", CLAIM_KEY_RULE));
      }
    }
  }

  // ---- shared

  /** The lower-cased name of a header the access policy sets upstream, or null (reported). */
  private static @Nullable String upstreamHeader(
      String raw, String f, Map<String, String> seen, List<Violation> out) {
    String h = headerName(raw, f, out);
    if (h == null) {
      return null;
    }
    if (PolicyValidator.reserved(h) || h.equals("authorization") || h.equals("cookie")) {
      out.add(new Violation(f, raw, OWNED_HEADER_RULE + ", not Authorization or Cookie"));
      return null;
    }
    if (seen.putIfAbsent(h, f) != null) {
      out.add(new Violation(f, raw, HEADER_ONCE_RULE));
      return null;
    }
    return h;
  }

  private static @Nullable String headerName(String raw, String f, List<Violation> out) {
    if (!TOKEN.matcher(raw).matches()) {
      out.add(new Violation(f, raw, HEADER_RULE));
      return null;
    }
    return raw.toLowerCase(Locale.ROOT);
  }

  private static List<String> headerNames(
      List<String> raw, String f, boolean setUpstream, List<Violation> out) {
    if (raw.size() > MAX_NAMES) {
      out.add(new Violation(f, raw.size() + " headers", "at most " + MAX_NAMES));
      return raw;
    }
    List<String> names = new ArrayList<>(raw.size());
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < raw.size(); i++) {
      String fi = f + "[" + i + "]";
      String h =
          setUpstream
              ? upstreamHeader(raw.get(i), fi, seen, out)
              : onceHeader(raw.get(i), fi, seen, out);
      names.add(h == null ? raw.get(i) : h);
    }
    return names;
  }

  private static @Nullable String onceHeader(
      String raw, String f, Map<String, String> seen, List<Violation> out) {
    String h = headerName(raw, f, out);
    if (h != null && seen.putIfAbsent(h, f) != null) {
      out.add(new Violation(f, raw, HEADER_ONCE_RULE));
      return null;
    }
    return h;
  }

  private static boolean outside(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 || d.compareTo(max) > 0;
  }

  private static boolean printableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** An absolute http(s) URL with a host, no user info or fragment; null otherwise. */
  static @Nullable URI url(@Nullable String url) {
    if (url == null || url.length() > 2048 || !printableAscii(url)) {
      return null;
    }
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https"))
          && u.getHost() != null
          && u.getRawUserInfo() == null
          && u.getRawFragment() == null) {
        return u;
      }
    } catch (URISyntaxException e) {
      // not a URL: null
    }
    return null;
  }
}
