package io.gatehouse.policy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.ForwardAuth;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@code ForwardAuth} policy: asks the route's auth service about each request before it is
 * proxied, through the node's {@link ForwardAuthService}, and suspends the request meanwhile.
 *
 * <p>The subrequest has no body and carries the client headers the policy names ({@code
 * Authorization} and {@code Cookie} by default), then Gatehouse's own {@code X-Original-URL},
 * {@code X-Original-Method}, {@code X-Forwarded-For}/{@code -Proto}/{@code -Host}/{@code
 * -Method}/{@code -Uri} (Traefik's names), {@code X-Real-IP}, {@code X-Auth-Request-Redirect} and
 * {@code X-Request-Id}: a client's copies of those are never sent. A 2xx lets the request through
 * with the answer's {@code responseHeaders} set on every upstream attempt (the client's own values
 * of them always removed, even when the answer has none); a 401 is answered 401, or 302 to {@code
 * signin} completed as its {@link ForwardAuth.SigninRedirect} says ({@code rd} set to the original
 * URL by default); a 403 is answered 403; both carry the service's {@code WWW-Authenticate} and
 * {@code Location}. Anything else fails closed: another status or no connection is a 503, no answer
 * within the timeout a 504, and the request never goes upstream. With {@code cacheKey} headers and
 * a {@code cacheDuration}, 2xx, 401 and 403 answers are reused for requests to the same route whose
 * key headers have the same values, and such requests that arrive while their subrequest is out
 * wait for it instead of sending their own.
 */
public final class ForwardAuthFilter implements AdmissionFilter {
  /** Hop-by-hop and framing headers: never copied to the subrequest nor set upstream. */
  static final Set<String> NEVER_COPIED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "te",
          "trailer",
          "upgrade",
          "proxy-authenticate",
          "proxy-authorization",
          "host",
          "content-length",
          "expect");

  /** The headers the filter sets on the subrequest itself; the client's values are not sent. */
  static final Set<String> OWN =
      Set.of(
          "x-original-url",
          "x-original-method",
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-forwarded-host",
          "x-forwarded-method",
          "x-forwarded-uri",
          "x-real-ip",
          "x-auth-request-redirect",
          "x-request-id");

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private static final int NOT_YET = Integer.MIN_VALUE;

  private final ForwardAuthService service;
  private final ForwardAuthTarget target;
  private final String method;
  private final String[] copied;
  private final String[] responseHeaders;
  private final List<String> keep;
  private final @Nullable String signin;
  private final ForwardAuth.SigninRedirect signinRedirect;
  private final String signinParam;
  private final long timeoutMillis;
  private final String[] cacheKey;
  private final long cacheNanos;

  /** The route and the policy, hashed into every cache key: no two routes share an answer. */
  private final byte[] scope;

  /**
   * Compiles {@code spec} for the route {@code route}.
   *
   * @throws IllegalArgumentException when the policy cannot be honoured (a bad URL, method or
   *     header name) or the node has no forward-auth client ({@link PolicyServices#NONE})
   */
  public ForwardAuthFilter(ForwardAuth spec, RouteKey route, PolicyServices services) {
    this.target = ForwardAuthTarget.parse(spec.url());
    String m = spec.method().isEmpty() ? "GET" : spec.method().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(m)) {
      throw new IllegalArgumentException(
          "forward auth method: \"" + spec.method() + "\" (expected: one of " + METHODS + ")");
    }
    this.method = m;
    List<String> asked =
        spec.requestHeaders().isEmpty()
            ? ForwardAuth.DEFAULT_REQUEST_HEADERS
            : spec.requestHeaders();
    List<String> copy = new ArrayList<>();
    for (String h : names("requestHeaders", asked)) {
      if (!OWN.contains(h)) {
        copy.add(h); // Gatehouse's own value of these is the one the service gets
      }
    }
    this.copied = copy.toArray(new String[0]);
    this.responseHeaders = names("responseHeaders", spec.responseHeaders()).toArray(new String[0]);
    LinkedHashSet<String> kept = new LinkedHashSet<>(List.of(responseHeaders));
    kept.add("www-authenticate");
    kept.add("location");
    this.keep = List.copyOf(kept);
    this.signin = spec.signin();
    this.signinRedirect = spec.signinRedirect();
    this.signinParam = spec.signinRedirectParam();
    if (signin != null) {
      ForwardAuthTarget.parse(signin); // the same rules: an absolute http(s) URL
    }
    if (spec.timeout().isNegative() || spec.timeout().isZero()) {
      throw new IllegalArgumentException(
          "forward auth timeout: " + spec.timeout() + " (expected: more than zero)");
    }
    this.timeoutMillis = Math.max(1, spec.timeout().toMillis());
    if (spec.cacheDuration().isNegative()) {
      throw new IllegalArgumentException(
          "forward auth cacheDuration: " + spec.cacheDuration() + " (expected: zero or more)");
    }
    List<String> key = names("cacheKey", spec.cacheKey());
    boolean caching = !key.isEmpty() && !spec.cacheDuration().isZero();
    this.cacheKey = caching ? key.toArray(new String[0]) : new String[0];
    this.cacheNanos = caching ? TimeUnit.MILLISECONDS.toNanos(spec.cacheDuration().toMillis()) : 0;
    this.scope = (route + "\n" + spec).getBytes(StandardCharsets.UTF_8);
    this.service = services.forwardAuth();
  }

  /** Lower-cased, checked header names: tokens, never hop-by-hop or framing headers. */
  private static List<String> names(String field, List<String> names) {
    List<String> out = new ArrayList<>(names.size());
    for (String n : names) {
      String h = n.trim().toLowerCase(Locale.ROOT);
      if (h.isEmpty() || !isToken(h)) {
        throw new IllegalArgumentException(
            "forward auth " + field + ": \"" + n + "\" (expected: a header name)");
      }
      if (NEVER_COPIED.contains(h)) {
        throw new IllegalArgumentException(
            "forward auth "
                + field
                + ": \""
                + n
                + "\" is a hop-by-hop or framing header (expected: an end-to-end header)");
      }
      if (!out.contains(h)) {
        out.add(h);
      }
    }
    return out;
  }

  /** RFC 9110 5.6.2: a header name is a token. */
  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean tchar =
          (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || (c >= 'A' && c <= 'Z')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int admit(RequestContext request) {
    ForwardAuthCache.@Nullable Key key = null;
    if (cacheKey.length != 0) {
      String[] values = new String[cacheKey.length];
      for (int i = 0; i < cacheKey.length; i++) {
        values[i] = request.headerValues(cacheKey[i]);
      }
      key = ForwardAuthCache.Key.of(scope, values);
      ForwardAuthAnswer cached = service.cache().get(key);
      if (cached != null) {
        return verdict(request, cached);
      }
    }
    Pending pending = new Pending(request, key);
    service.check(target, method, subrequestHeaders(request), timeoutMillis, keep, key, pending);
    return pending.suspendUnlessAnswered();
  }

  /** The subrequest's headers: the copied client headers, then Gatehouse's own. */
  List<String> subrequestHeaders(RequestContext request) {
    List<String> h = new ArrayList<>(2 * (copied.length + OWN.size()));
    for (String name : copied) {
      String v = request.headerValues(name);
      if (v != null) {
        // HTTP/2 may split Cookie into crumbs, joined here with ", ": RFC 9113 joins them with
        // "; " (a cookie value never holds a comma, RFC 6265).
        h.add(name);
        h.add(name.equals("cookie") ? v.replace(", ", "; ") : v);
      }
    }
    String proto = request.tls() ? "https" : "http";
    String authority = authority(request);
    String target =
        request.query() == null ? request.path() : request.path() + "?" + request.query();
    add(h, "x-original-url", proto + "://" + authority + target);
    add(h, "x-original-method", request.method());
    add(h, "x-forwarded-proto", proto);
    add(h, "x-forwarded-host", authority);
    add(h, "x-forwarded-method", request.method());
    add(h, "x-forwarded-uri", target);
    add(h, "x-auth-request-redirect", target);
    String client = request.clientAddress();
    if (client != null) {
      add(h, "x-forwarded-for", client);
      add(h, "x-real-ip", client);
    }
    String id = request.requestId();
    if (id != null) {
      add(h, "x-request-id", id);
    }
    return h;
  }

  private static void add(List<String> h, String name, String value) {
    h.add(name);
    h.add(value);
  }

  /**
   * The host the client asked for with the port digits it sent, if any; the normalised host, never
   * the client's authority as it is.
   */
  static String authority(RequestContext request) {
    String host = request.host();
    if (host == null) {
      return "";
    }
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]"; // an IPv6 literal
    }
    String a = request.authority();
    if (a != null) {
      int colon = a.lastIndexOf(':');
      if (colon >= 0 && colon > a.lastIndexOf(']') && colon < a.length() - 1) {
        String port = a.substring(colon + 1);
        if (port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
          return host + ":" + port;
        }
      }
    }
    return host;
  }

  /** The verdict of {@code answer}, with its effects on the request set. */
  private int verdict(RequestContext request, ForwardAuthAnswer answer) {
    int s = answer.status();
    if (s >= 200 && s < 300) {
      for (String name : responseHeaders) {
        String v = answer.header(name);
        if (v == null) {
          request.dropUpstreamHeader(name);
        } else {
          request.upstreamHeader(name, v);
        }
      }
      return PROCEED;
    }
    if (s == 401 || s == 403) {
      if (s == 401 && signin != null) {
        request.location(signinUrl(request));
        return 302;
      }
      String challenge = answer.header("www-authenticate");
      if (challenge != null) {
        request.answerHeader("www-authenticate", challenge);
      }
      String location = answer.header("location");
      if (location != null) {
        request.answerHeader("location", location);
      }
      return s;
    }
    return s == ForwardAuthAnswer.TIMED_OUT_STATUS ? 504 : 503;
  }

  /**
   * {@code signin} completed as the policy says: by default with {@code rd} (or the policy's
   * parameter) set to the URL the client asked for, URL-encoded; else with the request's path and
   * query appended, percent-encoded or as sent, or as written.
   */
  String signinUrl(RequestContext request) {
    String s = signin == null ? "" : signin;
    String target =
        request.query() == null ? request.path() : request.path() + "?" + request.query();
    return switch (signinRedirect) {
      case URL -> {
        String original = (request.tls() ? "https" : "http") + "://" + authority(request) + target;
        yield s
            + (s.indexOf('?') >= 0 ? "&" : "?")
            + signinParam
            + "="
            + URLEncoder.encode(original, StandardCharsets.UTF_8);
      }
      case ESCAPED_URI -> s + escapeUri(target);
      case URI -> s + target;
      case NONE -> s;
    };
  }

  /** nginx's {@code $escaped_request_uri} of {@code s}. */
  static String escapeUri(String s) {
    return UriEscapes.unreserved(s);
  }

  private static boolean cacheable(int status) {
    return (status >= 200 && status < 300) || status == 401 || status == 403;
  }

  /**
   * One subrequest's wait: the service calls it once on the request's event loop, either within
   * {@link ForwardAuthService#check} (the verdict is returned at once) or later (the request is
   * resumed).
   */
  private final class Pending implements Consumer<ForwardAuthAnswer> {
    private final RequestContext request;
    private final ForwardAuthCache.@Nullable Key key;
    private int verdict = NOT_YET;
    private boolean suspended;

    Pending(RequestContext request, ForwardAuthCache.@Nullable Key key) {
      this.request = request;
      this.key = key;
    }

    @Override
    public void accept(ForwardAuthAnswer answer) {
      if (key != null && cacheable(answer.status())) {
        service.cache().put(key, answer, cacheNanos);
      }
      int v = verdict(request, answer);
      if (suspended) {
        request.resume(v);
      } else {
        verdict = v;
      }
    }

    int suspendUnlessAnswered() {
      if (verdict != NOT_YET) {
        return verdict;
      }
      suspended = true;
      return SUSPEND;
    }
  }
}
