package io.gatehouse.validate;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.HeaderEditsSpec;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Checks a route's policies, one rule per kind ({@link #RULES}, which a test holds against the
 * permitted kinds of {@link PolicySpec}). Header names are normalised to lower case, as the proxy
 * compares them.
 *
 * <p>Header policies may not touch the headers Gatehouse itself owns: hop-by-hop and framing
 * headers (a proxy never forwards a framing header it did not produce), {@code Host} (the authority
 * a backend sees and the TLS name it is reached by; Gateway API rewrites it with a URL rewrite, not
 * with a header modifier, and so will a later policy), the forwarding headers, the request id and
 * the client-certificate headers a backend trusts because only Gatehouse writes them. Their values
 * may name a few variables ({@link HeaderTemplate}); any other '$' is refused.
 */
public final class PolicyValidator {
  public static final int MAX_POLICIES = 16;

  /** At most this many entries in each of set, add and remove (Gateway API: 16). */
  public static final int MAX_EDITS = 16;

  /** At most this many header edits over all of a route's policies. */
  public static final int MAX_ROUTE_EDITS = 64;

  public static final int MAX_VALUE_LENGTH = 1024;

  public static final String NAME_RULE = "a header field name token of 1-64 characters";
  public static final String VALUE_RULE =
      "text of at most "
          + MAX_VALUE_LENGTH
          + " characters without control characters (CR, LF, NUL)";
  public static final String RESERVED_RULE =
      "a header Gatehouse does not own (not hop-by-hop, framing, Host, Forwarded, X-Forwarded-*,"
          + " X-Request-Id, X-Gatehouse-Mirror, X-Client-Cert-* or ssl-client-cert)";
  public static final String ONCE_RULE = "a name given once in set, add and remove together";
  public static final String VARIABLE_RULE =
      "text whose only variables are " + HeaderTemplate.NAMES + ", with $$ for a '$'";
  public static final String CLIENT_CERTIFICATE_VARIABLE_RULE =
      "${tls.client.subject} and ${tls.client.sha256} only on a route that verifies client"
          + " certificates (tls.clientAuth mode OPTIONAL or REQUIRED)";

  // ---- Compression

  /** At most this many content types in one compression policy. */
  public static final int MAX_CONTENT_TYPES = 32;

  public static final String ALGORITHM_RULE = "gzip, br or zstd, each once";
  public static final String CONTENT_TYPE_RULE =
      "a media type type/subtype or type/* in lower or upper case, without parameters";
  public static final String MIN_BYTES_RULE = "a size in bytes from 0 to 1073741824";
  public static final String LEVEL_RULE =
      "a level of a listed algorithm: gzip 1-9, br 0-11, zstd 1-9";

  /** The largest minimum size: beyond 1 GiB a minimum means "never", which no route needs. */
  public static final long MAX_MIN_BYTES = 1L << 30;

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]{1,64}/(?:\\*|[!#$%&'*+.^_`|~0-9a-z-]{1,127})");

  public static final String POLICY_KINDS =
      "RequestHeaders, ResponseHeaders, RequestRedirect, URLRewrite, CORS, Compression,"
          + " SessionPersistence, RequestMirror, ErrorPages, Retry, IpAccess, BasicAuth, JwtAuth,"
          + " ForwardAuth, RateLimit or ConnectionLimit";

  public static final int MAX_URL_LENGTH = 2048;
  public static final String SCHEME_RULE = "http or https";
  public static final String STATUS_RULE = "301, 302, 303, 307 or 308";
  public static final String PORT_RULE = "a port number 1-65535";
  public static final String URL_RULE =
      "an absolute http or https URL with a host, of at most "
          + MAX_URL_LENGTH
          + " printable ASCII characters, without user info or fragment";
  public static final String URL_ALONE_RULE =
      "url alone: a fixed URL takes no scheme, hostname, port or path";
  public static final String PREFIX_VALUE_RULE =
      "\"\" (strip the prefix) or " + TargetPaths.PATH_RULE;
  public static final String PREFIX_MATCH_RULE =
      "ReplacePrefixMatch only on a route whose paths are all prefixes (Gateway API)";
  public static final String REGEX_OR_PATH_RULE = "one of path or regex, not both";
  public static final String SUBSTITUTION_RULE =
      "a path starting with '/' with group references $1-$9, ${n} or ${name}, no '?'";
  public static final String REWRITE_EMPTY_RULE =
      "at least one of hostname, path, regex, dropQuery or forwardedPrefix";
  public static final String REDIRECT_AND_REWRITE_RULE =
      "RequestRedirect or URLRewrite on a route, not both (Gateway API), each at most once";

  // ---- SessionPersistence

  /** The longest cookie lifetime: what browsers keep at most (RFC 6265bis, 400 days). */
  public static final Duration MAX_SESSION_TIMEOUT = Duration.ofDays(400);

  public static final String SESSION_NAME_RULE = "a cookie name token of 1-64 characters";
  public static final String SESSION_TIMEOUT_RULE =
      "whole seconds from 1s up to 400 days (a browser keeps a cookie no longer)";
  public static final String SESSION_PATH_RULE =
      "a cookie path starting with '/' of at most 1024 printable characters without ';'";
  public static final String SAME_SITE_RULE = "Strict, Lax or None";
  public static final String SAME_SITE_NONE_RULE =
      "sameSite None with secure: true (browsers refuse SameSite=None without Secure)";
  public static final String SESSION_ONCE_RULE = "at most one SessionPersistence per route";

  // ---- RequestMirror

  /** At most this many mirrors on one route (each copy costs a request to its backend). */
  public static final int MAX_MIRRORS = 4;

  /** The largest fraction denominator (Gateway API's is an int32; a million is 0.0001 %). */
  public static final int MAX_DENOMINATOR = 1_000_000;

  /** The largest body a mirror may buffer: the route's default body limit (LIMITS.md). */
  public static final long MAX_MIRROR_BODY_BYTES = 10L << 20;

  /** The most copies of one mirror open at once on a node. */
  public static final int MAX_MIRROR_IN_FLIGHT = 10_000;

  public static final String MIRRORS_RULE = "at most " + MAX_MIRRORS + " RequestMirror per route";
  public static final String DENOMINATOR_RULE = "a denominator 1-" + MAX_DENOMINATOR;
  public static final String NUMERATOR_RULE = "a numerator from 0 to the denominator";
  public static final String MIRROR_BODY_RULE =
      "a size in bytes from 0 to " + MAX_MIRROR_BODY_BYTES + " (10 MiB)";
  public static final String MIRROR_IN_FLIGHT_RULE = "1-" + MAX_MIRROR_IN_FLIGHT;
  public static final String MIRROR_ENDPOINTS_RULE =
      "at least one endpoint (a mirror without one would copy nothing)";

  private static final Set<String> RESERVED =
      Set.of(
          "connection",
          "keep-alive",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "content-length",
          "expect",
          "host",
          "forwarded",
          "x-real-ip",
          "x-request-id",
          "x-gatehouse-mirror",
          "ssl-client-cert");
  private static final List<String> RESERVED_PREFIXES =
      List.of("proxy-", "x-forwarded-", "x-client-cert-");

  // ---- ErrorPages

  /** At most this many codes in one error pages policy. */
  public static final int MAX_ERROR_CODES = 64;

  public static final String ERROR_CODE_RULE = "a status from 400 to 599";
  public static final String ERROR_CODES_RULE = "1 to " + MAX_ERROR_CODES + " statuses";
  public static final String ERROR_CODE_ONCE_RULE =
      "a status in one error pages policy of the route only";
  public static final String PAGE_OR_BACKEND_RULE = "exactly one of page and backend";
  public static final String PAGE_RULE =
      "text of at most " + ErrorPages.MAX_PAGE_BYTES + " bytes in UTF-8";
  public static final String ERROR_CONTENT_TYPE_RULE =
      "a media type type/subtype with optional parameters (; name=value), printable ASCII, at"
          + " most 256 characters";
  public static final String CONTENT_TYPE_WITH_BACKEND_RULE =
      "no contentType with a backend (its answer's is sent)";

  private static final String TOKEN_CHARS = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
  private static final Pattern ERROR_CONTENT_TYPE =
      Pattern.compile(
          TOKEN_CHARS
              + "{1,64}/"
              + TOKEN_CHARS
              + "{1,127}(?:[ \\t]*;[ \\t]*"
              + TOKEN_CHARS
              + "+=(?:"
              + TOKEN_CHARS
              + "+|\"[ !#-\\[\\]-~]*\"))*");

  private interface Rule {
    PolicySpec check(PolicySpec spec, String field, List<Violation> out);
  }

  /** One rule per kind; a kind missing here is refused, never passed through unchecked. */
  private static final Map<Class<?>, Rule> RULE_OF = new HashMap<>();

  static {
    RULE_OF.put(
        RequestHeaders.class,
        (spec, field, out) -> {
          HeaderEditsSpec e = edits(((RequestHeaders) spec).edits(), field, out);
          return new RequestHeaders(e.set(), e.add(), e.remove());
        });
    RULE_OF.put(
        ResponseHeaders.class,
        (spec, field, out) -> {
          HeaderEditsSpec e = edits(((ResponseHeaders) spec).edits(), field, out);
          return new ResponseHeaders(e.set(), e.add(), e.remove());
        });
    RULE_OF.put(
        RequestRedirect.class, (spec, field, out) -> redirect((RequestRedirect) spec, field, out));
    RULE_OF.put(URLRewrite.class, (spec, field, out) -> rewrite((URLRewrite) spec, field, out));
    RULE_OF.put(Cors.class, (spec, field, out) -> CorsValidator.check((Cors) spec, field, out));
    RULE_OF.put(
        Compression.class, (spec, field, out) -> compression((Compression) spec, field, out));
    RULE_OF.put(
        SessionPersistence.class,
        (spec, field, out) -> sessionPersistence((SessionPersistence) spec, field, out));
    RULE_OF.put(
        RequestMirror.class, (spec, field, out) -> mirror((RequestMirror) spec, field, out));
    RULE_OF.put(ErrorPages.class, (spec, field, out) -> errorPages((ErrorPages) spec, field, out));
    RULE_OF.put(Retry.class, (spec, field, out) -> RetryValidator.check((Retry) spec, field, out));
    RULE_OF.put(
        IpAccess.class,
        (spec, field, out) -> AccessValidator.ipAccess((IpAccess) spec, field, out));
    RULE_OF.put(
        BasicAuth.class,
        (spec, field, out) -> AccessValidator.basicAuth((BasicAuth) spec, field, out));
    RULE_OF.put(
        JwtAuth.class, (spec, field, out) -> AccessValidator.jwtAuth((JwtAuth) spec, field, out));
    RULE_OF.put(
        ForwardAuth.class,
        (spec, field, out) -> AccessValidator.forwardAuth((ForwardAuth) spec, field, out));
    RULE_OF.put(
        RateLimit.class,
        (spec, field, out) -> AccessValidator.rateLimit((RateLimit) spec, field, out));
    RULE_OF.put(
        ConnectionLimit.class,
        (spec, field, out) -> AccessValidator.connectionLimit((ConnectionLimit) spec, field, out));
  }

  private PolicyValidator() {}

  /** The kinds this validator has a rule for. */
  static Set<Class<?>> kinds() {
    return Set.copyOf(RULE_OF.keySet());
  }

  /** The policies normalised, with any violation added to {@code out}. */
  public static List<PolicySpec> validate(List<PolicySpec> raw, List<Violation> out) {
    if (raw.size() > MAX_POLICIES) {
      out.add(new Violation("policies", raw.size() + " policies", "at most " + MAX_POLICIES));
      return List.of();
    }
    List<PolicySpec> result = new ArrayList<>(raw.size());
    int total = 0;
    for (int i = 0; i < raw.size(); i++) {
      PolicySpec p = raw.get(i);
      String f = "policies[" + i + "]";
      Rule rule = p == null ? null : RULE_OF.get(p.getClass());
      if (rule == null) {
        out.add(new Violation(f + ".type", String.valueOf(p), POLICY_KINDS));
        continue;
      }
      total += p.edits().size();
      result.add(rule.check(p, f, out));
    }
    int redirects = 0;
    int rewrites = 0;
    int mirrors = 0;
    for (PolicySpec p : raw) {
      redirects += p instanceof RequestRedirect ? 1 : 0;
      rewrites += p instanceof URLRewrite ? 1 : 0;
      mirrors += p instanceof RequestMirror ? 1 : 0;
    }
    if (mirrors > MAX_MIRRORS) {
      out.add(new Violation("policies", mirrors + " RequestMirror", MIRRORS_RULE));
    }
    if (redirects + rewrites > 1) {
      out.add(
          new Violation(
              "policies",
              redirects + " RequestRedirect, " + rewrites + " URLRewrite",
              REDIRECT_AND_REWRITE_RULE));
    }
    long sessions = raw.stream().filter(p -> p instanceof SessionPersistence).count();
    if (sessions > 1) {
      out.add(new Violation("policies", sessions + " SessionPersistence", SESSION_ONCE_RULE));
    }
    Set<Integer> pageCodes = new HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      if (raw.get(i) instanceof ErrorPages e) {
        for (Integer code : new TreeSet<>(e.codes())) {
          if (code != null && !pageCodes.add(code)) {
            out.add(
                new Violation("policies[" + i + "].codes", code.toString(), ERROR_CODE_ONCE_RULE));
          }
        }
      }
    }
    AccessValidator.checkRoute(result, out);
    if (total > MAX_ROUTE_EDITS) {
      out.add(
          new Violation(
              "policies", total + " header edits", "at most " + MAX_ROUTE_EDITS + " in all"));
    }
    return result;
  }

  /**
   * Checks what a policy asks of the route's paths: a prefix replacement needs every path of the
   * route to be a prefix, so the matched prefix is known (Gateway API refuses it on other matches).
   */
  public static void checkPaths(
      List<PolicySpec> policies, List<PathMatch> paths, List<Violation> out) {
    for (int i = 0; i < policies.size(); i++) {
      PolicySpec p = policies.get(i);
      PathModifier m =
          p instanceof RequestRedirect r ? r.path() : p instanceof URLRewrite w ? w.path() : null;
      if (m == null || m.type() != PathModifier.Type.REPLACE_PREFIX_MATCH) {
        continue;
      }
      for (PathMatch path : paths) {
        if (path.type() == PathMatchType.EXACT || path.type() == PathMatchType.REGULAR_EXPRESSION) {
          out.add(
              new Violation(
                  "policies[" + i + "].path.type",
                  "ReplacePrefixMatch with a " + path.type() + " path " + path.value(),
                  PREFIX_MATCH_RULE));
          break;
        }
      }
    }
  }

  /**
   * Checks what a header policy's variables ask of the route: the client certificate's subject and
   * SHA-256 exist only where the route verifies one (the handshake accepts any certificate, so an
   * unverified one would be the client's own claim), and a variable that could never have a value
   * is refused rather than served as an always-missing header. Reads the policies as written, so a
   * problem names the header as the document does.
   */
  public static void checkVariables(
      List<PolicySpec> policies, @Nullable TlsSpec tls, List<Violation> out) {
    boolean verifies = tls != null && tls.clientAuth().enabled();
    if (verifies) {
      return;
    }
    for (int i = 0; i < policies.size(); i++) {
      PolicySpec p = policies.get(i);
      if (p == null) {
        continue; // reported by validate
      }
      HeaderEditsSpec e = p.edits();
      certificateVariables(e.set(), "policies[" + i + "].set", out);
      certificateVariables(e.add(), "policies[" + i + "].add", out);
    }
  }

  private static void certificateVariables(
      Map<String, String> values, String f, List<Violation> out) {
    for (Map.Entry<String, String> h : values.entrySet()) {
      HeaderTemplate t;
      try {
        t = HeaderTemplate.parse(h.getValue());
      } catch (IllegalArgumentException e) {
        continue; // reported by validate
      }
      for (HeaderTemplate.Variable v : t.variables()) {
        if (v.needsClientCertificate()) {
          out.add(
              new Violation(
                  f + "." + h.getKey(), printable(h.getValue()), CLIENT_CERTIFICATE_VARIABLE_RULE));
          break;
        }
      }
    }
  }

  /**
   * A sticky cookie: a token name, a whole-second lifetime the browser keeps, a printable path
   * (cookie attributes end at ';'), SameSite in its canonical case; {@code SameSite=None} only with
   * {@code Secure} (browsers drop it otherwise, and the split would silently stop sticking).
   */
  private static PolicySpec sessionPersistence(
      SessionPersistence s, String f, List<Violation> out) {
    String name = s.sessionName();
    if (name == null
        || name.isEmpty()
        || name.length() > 64
        || !RouteValidator.TOKEN.matcher(name).matches()) {
      out.add(
          new Violation(f + ".sessionName", printable(String.valueOf(name)), SESSION_NAME_RULE));
    }
    Duration timeout = s.absoluteTimeout();
    if (timeout != null
        && (timeout.isNegative()
            || timeout.isZero()
            || timeout.getNano() != 0
            || timeout.compareTo(MAX_SESSION_TIMEOUT) > 0)) {
      out.add(new Violation(f + ".absoluteTimeout", timeout.toString(), SESSION_TIMEOUT_RULE));
    }
    String path = s.path();
    if (path != null
        && (!path.startsWith("/")
            || path.length() > MAX_VALUE_LENGTH
            || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ';'))) {
      out.add(new Violation(f + ".path", printable(path), SESSION_PATH_RULE));
    }
    String rawSameSite = s.sameSite();
    String sameSite = null;
    if (rawSameSite != null) {
      for (String v : List.of("Strict", "Lax", "None")) {
        if (v.equalsIgnoreCase(rawSameSite)) {
          sameSite = v;
        }
      }
      if (sameSite == null) {
        out.add(new Violation(f + ".sameSite", printable(rawSameSite), SAME_SITE_RULE));
      } else if (sameSite.equals("None") && !Boolean.TRUE.equals(s.secure())) {
        out.add(new Violation(f + ".secure", String.valueOf(s.secure()), SAME_SITE_NONE_RULE));
      }
    }
    return new SessionPersistence(name, timeout, path, s.secure(), sameSite);
  }

  /**
   * A mirror: its backend checked as a route's backend is (endpoints, protocol and upstream TLS, a
   * named backend's name, a Service port), with at least one endpoint when it lists them; the share
   * a fraction of at most one; the host a precise host name; the limits in range.
   */
  private static PolicySpec mirror(RequestMirror m, String f, List<Violation> out) {
    String rf = f + ".backendRef";
    BackendRef ref = RouteValidator.ref(rf, m.backendRef(), out);
    if (ref instanceof BackendSpec b && b.endpoints().isEmpty()) {
      out.add(new Violation(rf + ".endpoints", "[]", MIRROR_ENDPOINTS_RULE));
    }
    if (m.denominator() < 1 || m.denominator() > MAX_DENOMINATOR) {
      out.add(
          new Violation(
              f + ".fraction.denominator", Integer.toString(m.denominator()), DENOMINATOR_RULE));
    } else if (m.numerator() < 0 || m.numerator() > m.denominator()) {
      String field = m.inPercent() ? f + ".percent" : f + ".fraction.numerator";
      out.add(
          new Violation(
              field,
              Integer.toString(m.numerator()),
              m.inPercent() ? "a percentage 0-100" : NUMERATOR_RULE));
    }
    String host = m.hostname() == null ? null : preciseHost(m.hostname(), f + ".hostname", out);
    if (m.maxBodyBytes() < 0 || m.maxBodyBytes() > MAX_MIRROR_BODY_BYTES) {
      out.add(
          new Violation(f + ".maxBodyBytes", Long.toString(m.maxBodyBytes()), MIRROR_BODY_RULE));
    }
    if (m.maxInFlight() < 1 || m.maxInFlight() > MAX_MIRROR_IN_FLIGHT) {
      out.add(
          new Violation(
              f + ".maxInFlight", Integer.toString(m.maxInFlight()), MIRROR_IN_FLIGHT_RULE));
    }
    return new RequestMirror(
        ref,
        m.numerator(),
        m.denominator(),
        host,
        m.requestBody(),
        m.maxBodyBytes(),
        m.maxInFlight());
  }

  private static PolicySpec redirect(RequestRedirect r, String f, List<Violation> out) {
    String rawScheme = r.scheme();
    String scheme = null;
    if (rawScheme != null) {
      scheme = rawScheme.toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        out.add(new Violation(f + ".scheme", printable(rawScheme), SCHEME_RULE));
      }
    }
    String host = r.hostname() == null ? null : preciseHost(r.hostname(), f + ".hostname", out);
    Integer port = r.port();
    if (port != null && (port < 1 || port > 65535)) {
      out.add(new Violation(f + ".port", port.toString(), PORT_RULE));
    }
    PathModifier path = r.path() == null ? null : pathModifier(r.path(), f + ".path", out);
    int status = r.statusCode();
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
      out.add(new Violation(f + ".statusCode", Integer.toString(status), STATUS_RULE));
    }
    String url = r.url();
    if (url != null) {
      if (scheme != null || r.hostname() != null || port != null || r.path() != null) {
        out.add(new Violation(f + ".url", printable(url), URL_ALONE_RULE));
      }
      url = absoluteUrl(url, f + ".url", out);
    }
    // no part to change answers the request's own URL with the status (Gateway API allows it: a
    // 303 after a POST is the use; a client that follows a 301/302/307/308 to it loops, its choice)
    return new RequestRedirect(scheme, host, port, path, status, url, r.rootOnly());
  }

  private static PolicySpec rewrite(URLRewrite w, String f, List<Violation> out) {
    String host = w.hostname() == null ? null : preciseHost(w.hostname(), f + ".hostname", out);
    PathModifier path = w.path() == null ? null : pathModifier(w.path(), f + ".path", out);
    String regex = w.regex();
    String substitution = w.substitution();
    if (regex != null && path != null) {
      out.add(new Violation(f + ".regex", printable(regex), REGEX_OR_PATH_RULE));
    }
    if (regex != null || substitution != null) {
      regexRewrite(regex, substitution, f, out);
    }
    String prefix = w.forwardedPrefix();
    if (prefix != null && (prefix.isEmpty() || !valueOk(prefix))) {
      out.add(new Violation(f + ".forwardedPrefix", printable(prefix), VALUE_RULE));
    }
    if (w.hostname() == null
        && w.path() == null
        && regex == null
        && substitution == null
        && !w.dropQuery()
        && prefix == null) {
      out.add(new Violation(f, "no part to change", REWRITE_EMPTY_RULE));
    }
    return new URLRewrite(host, path, regex, substitution, w.dropQuery(), prefix);
  }

  private static void regexRewrite(
      @Nullable String regex, @Nullable String substitution, String f, List<Violation> out) {
    if (regex == null || substitution == null) {
      out.add(
          new Violation(
              regex == null ? f + ".regex.pattern" : f + ".regex.substitution",
              "missing",
              "regex and substitution together"));
      return;
    }
    if (regex.isEmpty() || regex.length() > RouteValidator.MAX_REGEX_LENGTH) {
      out.add(
          new Violation(
              f + ".regex.pattern",
              printable(regex),
              "a regular expression of 1-" + RouteValidator.MAX_REGEX_LENGTH + " characters"));
      return;
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      out.add(
          new Violation(
              f + ".regex.pattern",
              printable(regex),
              "an RE2 regular expression ("
                  + e.getDescription()
                  + "; no backreferences or lookaround)"));
      return;
    }
    if (!substitution.startsWith("/")
        || substitution.indexOf('?') >= 0
        || substitution.length() > TargetPaths.MAX_LENGTH) {
      out.add(new Violation(f + ".regex.substitution", printable(substitution), SUBSTITUTION_RULE));
      return;
    }
    Substitution parsed;
    try {
      parsed = Substitution.parse(substitution, pattern);
    } catch (IllegalArgumentException e) {
      out.add(
          new Violation(
              f + ".regex.substitution",
              printable(substitution),
              SUBSTITUTION_RULE + "; " + e.getMessage()));
      return;
    }
    // The literal parts must be target text on their own: the run-time check of the whole result
    // is then about what the groups captured from the (already normalised) request path.
    if (!TargetPaths.queryOk(parsed.literalText())) {
      out.add(new Violation(f + ".regex.substitution", printable(substitution), SUBSTITUTION_RULE));
    }
  }

  private static @Nullable PathModifier pathModifier(
      PathModifier m, String f, List<Violation> out) {
    String v = m.value();
    boolean prefix = m.type() == PathModifier.Type.REPLACE_PREFIX_MATCH;
    if (prefix && v.isEmpty()) {
      return m;
    }
    // A trailing '/' of a prefix replacement is ignored when it is applied; keep it as written.
    String checked =
        prefix && v.length() > 1 && v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    if (TargetPaths.pathProblem(checked) != null) {
      out.add(
          new Violation(
              f + (prefix ? ".replacePrefixMatch" : ".replaceFullPath"),
              printable(v),
              prefix ? PREFIX_VALUE_RULE : TargetPaths.PATH_RULE));
      return null;
    }
    return m;
  }

  private static @Nullable String preciseHost(String raw, String f, List<Violation> out) {
    Validated<String> h = Hostnames.normalizeConfigured(f, raw);
    if (!h.isValid()) {
      out.addAll(h.violations());
      return null;
    }
    String host = h.value();
    if (host == null || host.startsWith("*.") || raw.indexOf(':') >= 0 || raw.endsWith(".")) {
      out.add(new Violation(f, printable(raw), "a precise host name without port or '*'"));
      return null;
    }
    return host;
  }

  private static @Nullable String absoluteUrl(String url, String f, List<Violation> out) {
    boolean printable = url.length() <= MAX_URL_LENGTH;
    for (int i = 0; i < url.length() && printable; i++) {
      char c = url.charAt(i);
      printable = c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\';
    }
    if (printable) {
      try {
        URI u = new URI(url);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https"))
            && u.getHost() != null
            && u.getRawUserInfo() == null
            && u.getRawFragment() == null) {
          return url;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
    }
    out.add(new Violation(f, printable(url), URL_RULE));
    return null;
  }

  /**
   * A compression policy normalised: algorithms, content types and level names lower-cased. Only
   * what Gatehouse can encode is accepted (fail closed): an unknown or unserved coding is refused,
   * never dropped from the list.
   */
  private static Compression compression(Compression c, String f, List<Violation> out) {
    List<String> algorithms = new ArrayList<>();
    if (c.algorithms().isEmpty() || c.algorithms().size() > 3) {
      out.add(new Violation(f + ".algorithms", c.algorithms().toString(), ALGORITHM_RULE));
    } else {
      for (int i = 0; i < c.algorithms().size(); i++) {
        String a = c.algorithms().get(i).toLowerCase(Locale.ROOT);
        if ((!a.equals(Compression.GZIP)
                && !a.equals(Compression.BROTLI)
                && !a.equals(Compression.ZSTD))
            || algorithms.contains(a)) {
          out.add(
              new Violation(
                  f + ".algorithms[" + i + "]", printable(c.algorithms().get(i)), ALGORITHM_RULE));
        } else {
          algorithms.add(a);
        }
      }
    }
    List<String> types = new ArrayList<>();
    if (c.contentTypes().isEmpty() || c.contentTypes().size() > MAX_CONTENT_TYPES) {
      out.add(
          new Violation(
              f + ".contentTypes",
              c.contentTypes().size() + " types",
              "1 to " + MAX_CONTENT_TYPES + " types"));
    } else {
      for (int i = 0; i < c.contentTypes().size(); i++) {
        String raw = c.contentTypes().get(i);
        String t = raw.toLowerCase(Locale.ROOT);
        String literal = t.endsWith("/*") ? t.substring(0, t.length() - 2) : t;
        if (!MEDIA_TYPE.matcher(t).matches() || literal.indexOf('*') >= 0) {
          out.add(new Violation(f + ".contentTypes[" + i + "]", printable(raw), CONTENT_TYPE_RULE));
        } else if (!types.contains(t)) {
          types.add(t); // a repeat says nothing more: kept once
        }
      }
    }
    if (c.minBytes() < 0 || c.minBytes() > MAX_MIN_BYTES) {
      out.add(new Violation(f + ".minBytes", Long.toString(c.minBytes()), MIN_BYTES_RULE));
    }
    Map<String, Integer> levels = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> l : c.levels().entrySet()) {
      String a = l.getKey().toLowerCase(Locale.ROOT);
      int v = l.getValue();
      boolean ok = algorithms.contains(a) && !levels.containsKey(a) && levelInRange(a, v);
      if (ok) {
        levels.put(a, v);
      } else {
        out.add(
            new Violation(f + ".levels." + printable(l.getKey()), Integer.toString(v), LEVEL_RULE));
      }
    }
    return new Compression(algorithms, types, c.minBytes(), levels);
  }

  /**
   * gzip 1-9 (zlib's 0 stores), br 0-11; zstd 1-9: a level is set per route, by a tenant too, and
   * the native memory a streamed zstd response holds grows with it (measured: 2.7 MiB at 3, 12 MiB
   * at 9, 42 MiB at 12, 82 MiB at 19), so one route must not make each of its responses hold tens
   * of MiB; levels 20-22 are made for windows past the 8 MB that HTTP allows (RFC 9659). zstd's
   * negative (fast) levels are not offered.
   */
  private static boolean levelInRange(String algorithm, int v) {
    return switch (algorithm) {
      case Compression.GZIP -> v >= 1 && v <= 9;
      case Compression.ZSTD -> v >= 1 && v <= 9;
      default -> v >= 0 && v <= 11;
    };
  }

  /**
   * An error pages policy normalised: its codes sorted, each once. The page is kept byte for byte
   * (it is sent as it is, never interpreted); its backend is checked as a route's backend is.
   */
  private static ErrorPages errorPages(ErrorPages e, String f, List<Violation> out) {
    TreeSet<Integer> codes = new TreeSet<>();
    if (e.codes().isEmpty() || e.codes().size() > MAX_ERROR_CODES) {
      out.add(new Violation(f + ".codes", e.codes().size() + " statuses", ERROR_CODES_RULE));
    } else {
      for (int i = 0; i < e.codes().size(); i++) {
        Integer code = e.codes().get(i);
        if (code == null || code < 400 || code > 599) {
          out.add(new Violation(f + ".codes[" + i + "]", String.valueOf(code), ERROR_CODE_RULE));
        } else {
          codes.add(code); // a repeat says nothing more: kept once
        }
      }
    }
    String page = e.page();
    BackendRef backend = e.backend();
    String contentType = e.contentType();
    if ((page == null) == (backend == null)) {
      out.add(
          new Violation(
              f,
              page == null ? "neither page nor backend" : "page and backend",
              PAGE_OR_BACKEND_RULE));
    }
    if (page != null) {
      int bytes = page.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > ErrorPages.MAX_PAGE_BYTES) {
        out.add(new Violation(f + ".page", bytes + " bytes", PAGE_RULE));
      }
      if (contentType == null) {
        contentType = ErrorPages.DEFAULT_CONTENT_TYPE;
      } else if (contentType.length() > 256 || !ERROR_CONTENT_TYPE.matcher(contentType).matches()) {
        out.add(new Violation(f + ".contentType", printable(contentType), ERROR_CONTENT_TYPE_RULE));
      }
    }
    if (backend != null) {
      if (page == null && e.contentType() != null) {
        out.add(
            new Violation(
                f + ".contentType", printable(e.contentType()), CONTENT_TYPE_WITH_BACKEND_RULE));
      }
      if (backend instanceof BackendSpec b && b.proxyProtocol() != null) {
        // The page is fetched over the node's shared clients, which send no PROXY header.
        out.add(
            new Violation(
                f + ".backend.proxyProtocol",
                b.proxyProtocol().text(),
                "none on an error pages backend (its fetch sends no PROXY header)"));
      }
      backend = RouteValidator.ref(f + ".backend", backend, out);
    }
    return new ErrorPages(List.copyOf(codes), page, contentType, backend);
  }

  private static HeaderEditsSpec edits(HeaderEditsSpec e, String f, List<Violation> out) {
    Map<String, String> seen = new HashMap<>();
    Map<String, String> set = entries(e.set(), f + ".set", seen, out);
    Map<String, String> add = entries(e.add(), f + ".add", seen, out);
    List<String> remove = new ArrayList<>();
    if (e.remove().size() > MAX_EDITS) {
      out.add(new Violation(f + ".remove", e.remove().size() + " names", "at most " + MAX_EDITS));
    } else {
      for (int i = 0; i < e.remove().size(); i++) {
        String name = name(e.remove().get(i), f + ".remove[" + i + "]", seen, out);
        if (name != null) {
          remove.add(name);
        }
      }
    }
    return new HeaderEditsSpec(set, add, remove);
  }

  private static Map<String, String> entries(
      Map<String, String> raw, String f, Map<String, String> seen, List<Violation> out) {
    Map<String, String> result = new LinkedHashMap<>();
    if (raw.size() > MAX_EDITS) {
      out.add(new Violation(f, raw.size() + " headers", "at most " + MAX_EDITS));
      return result;
    }
    for (Map.Entry<String, String> h : raw.entrySet()) {
      String at = f + "." + h.getKey();
      String name = name(h.getKey(), at, seen, out);
      String value = h.getValue();
      if (!valueOk(value)) {
        out.add(new Violation(at, printable(value), VALUE_RULE));
        continue;
      }
      try {
        HeaderTemplate.parse(value);
      } catch (IllegalArgumentException e) {
        out.add(new Violation(at, printable(value), VARIABLE_RULE + "; " + e.getMessage()));
        continue;
      }
      if (name != null) {
        result.put(name, value);
      }
    }
    return result;
  }

  /**
   * The name lower-cased, or null (with a violation at {@code f}). A set or add entry is reported
   * at {@code policies[i].set.NAME}: the name is the last key, whatever it holds (a name may hold
   * dots).
   */
  private static @Nullable String name(
      String raw, String f, Map<String, String> seen, List<Violation> out) {
    if (!RouteValidator.TOKEN.matcher(raw).matches()) {
      out.add(new Violation(f, printable(raw), NAME_RULE));
      return null;
    }
    String name = raw.toLowerCase(Locale.ROOT);
    if (reserved(name)) {
      out.add(new Violation(f, raw, RESERVED_RULE));
      return null;
    }
    if (seen.putIfAbsent(name, f) != null) {
      out.add(new Violation(f, raw, ONCE_RULE));
      return null;
    }
    return name;
  }

  /** Whether {@code lowerName} is a header Gatehouse owns, so no policy may edit it. */
  public static boolean reserved(String lowerName) {
    if (RESERVED.contains(lowerName)) {
      return true;
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (lowerName.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean valueOk(String v) {
    if (v.length() > MAX_VALUE_LENGTH) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** Control characters shown escaped, so a problem never carries a line break into a log. */
  private static String printable(String v) {
    StringBuilder b = new StringBuilder(Math.min(v.length(), 80));
    for (int i = 0; i < v.length() && i < 80; i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return v.length() > 80 ? b + "..." : b.toString();
  }
}
