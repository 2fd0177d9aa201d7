package io.gatehouse.policy;

import com.google.re2j.Pattern;
import io.gatehouse.model.policy.Cors;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * User policy {@code CORS}, the Fetch standard's CORS protocol at the edge, in two stages.
 *
 * <p>Admission: a preflight ({@code OPTIONS} with {@code Origin} and {@code
 * Access-Control-Request-Method}) is answered here with 204 and never reaches a backend. When its
 * origin, method and every requested header are allowed, the answer carries {@code
 * Access-Control-Allow-Origin}, {@code -Allow-Credentials}, {@code -Allow-Methods}, {@code
 * -Allow-Headers}, {@code -Max-Age} and {@code -Expose-Headers}; otherwise it carries none of them
 * and the browser refuses the actual request. Any other request goes on.
 *
 * <p>Response: on a proxied response the route's policy owns the CORS headers, as Envoy's CORS
 * filter and Gateway API implementations do: the upstream's own {@code Access-Control-*} headers
 * are removed, and a request from an allowed origin gets {@code Access-Control-Allow-Origin},
 * {@code -Allow-Credentials} and {@code -Expose-Headers}. {@code Vary: Origin} is merged into the
 * upstream's {@code Vary} whenever the answer depends on the origin (every origin list but {@code
 * *}), on every response, with an Origin or without, so a cache never serves one origin's answer to
 * another.
 *
 * <p>Local answers: an error Gatehouse answers itself on the route (413, 502, 503, 504, a 400 of a
 * rewrite, a 403 of a client-certificate check...) gets the same headers as a proxied response
 * would, so a browser lets the page read the error instead of reporting a CORS failure.
 *
 * <p>{@code Access-Control-Allow-Origin} is {@code *} only for {@code allowOrigins: [*]} without
 * credentials (the validator refuses {@code *} with credentials); otherwise it is the request's
 * origin. With credentials, {@code *} in methods or headers is a literal name to the browser, so
 * the requested method and headers are named instead, as Gateway API says.
 *
 * <p>Hand-written for the hot path: the configured lists are arrays compared without allocating
 * (origins case-insensitively, wildcard hosts by prefix and suffix), the header values are built
 * once here; only RE2 patterns allocate a matcher, on routes that have them.
 */
public final class CorsFilter implements AdmissionFilter, ResponseFilter, LocalAnswerFilter {
  static final String ALLOW_ORIGIN = "access-control-allow-origin";
  static final String ALLOW_CREDENTIALS = "access-control-allow-credentials";
  static final String ALLOW_METHODS = "access-control-allow-methods";
  static final String ALLOW_HEADERS = "access-control-allow-headers";
  static final String MAX_AGE = "access-control-max-age";
  static final String EXPOSE_HEADERS = "access-control-expose-headers";
  static final String REQUEST_METHOD = "access-control-request-method";
  static final String REQUEST_HEADERS = "access-control-request-headers";
  static final String VARY = "vary";

  /** The status of every preflight answer, allowed or not (Gateway API: 204 or 200). */
  public static final int PREFLIGHT = 204;

  private static final String[] UPSTREAM_CORS = {
    ALLOW_ORIGIN, ALLOW_CREDENTIALS, ALLOW_METHODS, ALLOW_HEADERS, MAX_AGE, EXPOSE_HEADERS
  };

  private final boolean anyOrigin;
  private final String[] origins;
  private final String[] wildcardPrefixes;
  private final String[] wildcardSuffixes;
  private final Pattern[] patterns;
  private final boolean credentials;
  private final boolean anyMethod;
  private final String[] methods;
  private final boolean anyHeader;
  private final String[] headers;
  private final @Nullable String allowMethods;
  private final @Nullable String allowHeaders;
  private final @Nullable String exposeHeaders;
  private final String maxAge;

  CorsFilter(Cors spec) {
    anyOrigin = Cors.any(spec.allowOrigins());
    List<String> exact = spec.allowOrigins().stream().filter(o -> !o.contains("://*.")).toList();
    List<String> wild = spec.allowOrigins().stream().filter(o -> o.contains("://*.")).toList();
    origins = anyOrigin ? new String[0] : exact.toArray(new String[0]);
    wildcardPrefixes = new String[wild.size()];
    wildcardSuffixes = new String[wild.size()];
    for (int i = 0; i < wild.size(); i++) {
      String w = wild.get(i);
      int star = w.indexOf("://*.") + 3;
      wildcardPrefixes[i] = w.substring(0, star); // "https://"
      wildcardSuffixes[i] = w.substring(star + 1); // ".example.com[:port]"
    }
    patterns = new Pattern[spec.allowOriginPatterns().size()];
    for (int i = 0; i < patterns.length; i++) {
      patterns[i] = Pattern.compile(spec.allowOriginPatterns().get(i));
    }
    credentials = spec.allowCredentials();
    anyMethod = Cors.any(spec.allowMethods());
    methods = spec.allowMethods().toArray(new String[0]);
    anyHeader = Cors.any(spec.allowHeaders());
    headers = spec.allowHeaders().toArray(new String[0]);
    allowMethods = methods.length == 0 ? null : String.join(", ", spec.allowMethods());
    allowHeaders = headers.length == 0 ? null : String.join(", ", spec.allowHeaders());
    exposeHeaders = spec.exposeHeaders().isEmpty() ? null : String.join(", ", spec.exposeHeaders());
    maxAge = Integer.toString(spec.maxAge());
  }

  /** Whether the answer depends on the request's origin (every origin list but {@code *}). */
  boolean variesByOrigin() {
    return !anyOrigin;
  }

  // ---------------------------------------------------------------- preflight

  @Override
  public int admit(RequestContext r) {
    if (!"OPTIONS".equals(r.method())) {
      return PROCEED;
    }
    String origin = r.header("origin");
    String method = r.header(REQUEST_METHOD);
    if (origin == null || method == null) {
      return PROCEED; // a plain OPTIONS request: the backend's to answer
    }
    if (!anyOrigin) {
      r.answerHeader(VARY, "Origin");
    }
    String requested = r.header(REQUEST_HEADERS);
    if (!allowsOrigin(origin) || !allowsMethod(method) || !allowsHeaders(requested)) {
      return PREFLIGHT;
    }
    r.answerHeader(ALLOW_ORIGIN, allowOrigin(origin));
    if (credentials) {
      r.answerHeader(ALLOW_CREDENTIALS, "true");
    }
    if (allowMethods != null) {
      r.answerHeader(ALLOW_METHODS, anyMethod && credentials ? method : allowMethods);
    }
    if (allowHeaders != null) {
      if (!anyHeader || !credentials) {
        r.answerHeader(ALLOW_HEADERS, allowHeaders);
      } else if (requested != null && !requested.isBlank()) {
        r.answerHeader(ALLOW_HEADERS, requested);
      }
    }
    r.answerHeader(MAX_AGE, maxAge);
    if (exposeHeaders != null) {
      // meaningless to the browser here, but Envoy sends it and Gateway API's suite expects it
      r.answerHeader(EXPOSE_HEADERS, exposeHeaders);
    }
    return PREFLIGHT;
  }

  /** Whether a preflight may ask for {@code method}: case-sensitive, GET, HEAD, POST always. */
  boolean allowsMethod(String method) {
    if (anyMethod || "GET".equals(method) || "HEAD".equals(method) || "POST".equals(method)) {
      return validToken(method, 0, method.length());
    }
    for (String m : methods) {
      if (m.equals(method)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every name of an {@code Access-Control-Request-Headers} value is allowed (names
   * compared case-insensitively; an absent or empty list asks for nothing). With {@code *} every
   * well-formed name is allowed: it is echoed to a credentialed request.
   */
  boolean allowsHeaders(@Nullable String requested) {
    if (requested == null) {
      return true;
    }
    int n = requested.length();
    int i = 0;
    while (i < n) {
      int comma = requested.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int s = i;
      int e = end;
      while (s < e && isSpace(requested.charAt(s))) {
        s++;
      }
      while (e > s && isSpace(requested.charAt(e - 1))) {
        e--;
      }
      if (s < e && (!validToken(requested, s, e) || !allowsHeader(requested, s, e))) {
        return false;
      }
      i = end + 1;
    }
    return true;
  }

  private boolean allowsHeader(String text, int start, int end) {
    if (anyHeader) {
      return true;
    }
    int len = end - start;
    for (String h : headers) {
      if (h.length() == len && h.regionMatches(true, 0, text, start, len)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- actual requests

  @Override
  public void onResponse(RequestContext r, int status, HeaderEdits downstream) {
    for (String name : UPSTREAM_CORS) {
      downstream.remove(name);
    }
    if (!anyOrigin) {
      FieldLists.addToVary(downstream, "Origin");
    }
    String origin = r.header("origin");
    if (origin == null || !allowsOrigin(origin)) {
      return;
    }
    downstream.set(ALLOW_ORIGIN, allowOrigin(origin));
    if (credentials) {
      downstream.set(ALLOW_CREDENTIALS, "true");
    }
    if (exposeHeaders != null) {
      downstream.set(EXPOSE_HEADERS, exposeHeaders);
    }
  }

  /** The same headers on Gatehouse's own answer as on a proxied response. */
  @Override
  public void onLocalAnswer(RequestContext r, int status, HeaderEdits answer) {
    onResponse(r, status, answer);
  }

  // ---------------------------------------------------------------- origins

  private String allowOrigin(String origin) {
    return anyOrigin && !credentials ? Cors.ANY : origin;
  }

  /**
   * Whether {@code origin} is allowed: {@code *}, an exact origin (case-insensitive, as the
   * validator lower-cased the list), a wildcard host ({@code *.} stands for one or more labels) or
   * an RE2 pattern matching the whole origin.
   */
  boolean allowsOrigin(String origin) {
    if (anyOrigin) {
      return true;
    }
    for (String o : origins) {
      if (o.equalsIgnoreCase(origin)) {
        return true;
      }
    }
    for (int i = 0; i < wildcardPrefixes.length; i++) {
      if (wildcardMatch(wildcardPrefixes[i], wildcardSuffixes[i], origin)) {
        return true;
      }
    }
    for (Pattern p : patterns) {
      if (p.matches(origin)) {
        return true;
      }
    }
    return false;
  }

  private static boolean wildcardMatch(String prefix, String suffix, String origin) {
    int labelsEnd = origin.length() - suffix.length();
    if (labelsEnd <= prefix.length()
        || !origin.regionMatches(true, 0, prefix, 0, prefix.length())
        || !origin.regionMatches(true, labelsEnd, suffix, 0, suffix.length())) {
      return false;
    }
    // The labels the '*' stands for: DNS characters only, not starting or ending with a dot.
    if (origin.charAt(prefix.length()) == '.' || origin.charAt(labelsEnd - 1) == '.') {
      return false;
    }
    for (int i = prefix.length(); i < labelsEnd; i++) {
      char c = origin.charAt(i);
      boolean dns =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!dns && c != '.') {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- text

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  /** Whether {@code s[start, end)} is a non-empty RFC 9110 token. */
  private static boolean validToken(String s, int start, int end) {
    if (start >= end) {
      return false;
    }
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "CorsFilter[origins="
        + (anyOrigin ? "*" : String.join(",", origins))
        + " wildcards="
        + wildcardPrefixes.length
        + " patterns="
        + patterns.length
        + " credentials="
        + credentials
        + "]";
  }
}
