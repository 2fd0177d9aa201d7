package io.gatehouse.k8s.translate;

import static io.gatehouse.k8s.translate.IngressAnnotations.NGINX;
import static io.gatehouse.k8s.translate.IngressAnnotations.PREFIX;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.OTHER;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.ROUTING;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.SECURITY;
import static io.gatehouse.k8s.translate.NginxAnnotation.different;
import static io.gatehouse.k8s.translate.NginxAnnotation.same;

import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.validate.RetryValidator;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The annotations of a backend policy and of a {@link Retry} policy (issue #14), read apart from
 * {@link IngressAnnotations} because they are many and share one rule: a value Gatehouse cannot
 * read or honour refuses the Ingress (it would change where requests go), and the ranges are the
 * validator's, so a value out of range makes the route invalid (reported, not served).
 *
 * <pre>
 * gatehouse.io/                       nginx.ingress.kubernetes.io/     model
 * load-balance: round-robin|least-request|power-of-two-choices|peak-ewma|ring-hash|maglev
 *                                     load-balance: round_robin|ewma   LoadBalancing.algorithm
 * hash-on: header:X|cookie:X|query:X|source-address
 *                                     upstream-hash-by: $var           hashOn (RingHash)
 * slow-start: 30s                     -                                slowStart
 * panic-threshold: 50                 -                                panicThresholdPercent
 * -                                   affinity: cookie                 affinity (a CookieAffinity)
 * -                                   affinity-mode: balanced|persistent  (both persistent)
 * -                                   session-cookie-name|-path|-max-age|-expires|-samesite|
 *                                     -secure|-change-on-failure       the affinity cookie
 * health-check-path: /healthz         -                                HealthCheck HTTP path
 * health-check-protocol: http|grpc|tcp  -                              HealthCheck.protocol
 * health-check-interval|-timeout|-jitter: 5s                           HealthCheck timing
 * health-check-unhealthy-threshold|-healthy-threshold: 3               HealthCheck thresholds
 * health-check-host|-statuses (200-399,418)|-grpc-service              HealthCheck HTTP / gRPC
 * outlier-detection: off              -                                outlierDetection null
 * outlier-consecutive-5xx|-consecutive-gateway-errors|-max-ejection-percent: N
 * outlier-interval|-base-ejection-time|-max-ejection-time: 10s
 * outlier-success-rate-stdev-factor: 1.9 (turns success rate on)
 * max-connections|max-pending-requests|max-requests|max-retries: N    CircuitBreaker
 * retry-on: connect-failure,reset,refused-stream,timeout,gateway-error,server-error
 *                                     proxy-next-upstream              Retry.on
 * retry-statuses: 409,503 | retry-grpc-statuses: 14                   Retry statuses
 * retry-attempts: 2                   proxy-next-upstream-tries: 3     Retry.attempts (tries - 1)
 * retry-per-try-timeout: 2s           -                                Retry.perTryTimeout
 * retry-timeout: 10s                  proxy-next-upstream-timeout: 10  Retry.timeout
 * retry-non-idempotent: true          (non_idempotent)                 Retry.nonIdempotent
 * </pre>
 *
 * <p>ingress-nginx's {@code proxy-next-upstream} is a blank-separated list: {@code error} is a
 * connect failure or a connection reset before the answer, {@code timeout} the connect or read
 * timeout, {@code invalid_header} an answer that could not be read (a reset here), {@code
 * http_500}...{@code http_504}, {@code http_403}, {@code http_404} and {@code http_429} those
 * statuses, {@code non_idempotent} retries POST and the like too, and {@code off} no retry at all.
 * Its {@code proxy-next-upstream-tries} counts the first try ({@code 0}, nginx's "no limit", is
 * Gatehouse's most, 10, with a warning: nginx never tries one server twice, so it is bounded by the
 * endpoints anyway); {@code proxy-next-upstream-timeout} is whole seconds, 0 for none. Without
 * {@code proxy-next-upstream}, the tries and the timeout apply to ingress-nginx's default {@code
 * error timeout}. When a {@code gatehouse.io/retry-*} key is set, the ingress-nginx keys are
 * ignored with a warning.
 *
 * <p>{@code upstream-hash-by} is an nginx variable: {@code $remote_addr} and {@code
 * $binary_remote_addr} hash the client address, {@code $http_x_user} the header {@code X-User}
 * ({@code _} for {@code -}), {@code $cookie_sid} the cookie, {@code $arg_u} the query parameter;
 * ingress-nginx hashes them on a consistent ring, Gatehouse's {@code RingHash}. Any other variable
 * ({@code $request_uri}, {@code $uri}, {@code $host}) or a composite ({@code $host$uri}) refuses
 * the Ingress, and so do {@code upstream-hash-by-subset} and {@code -subset-size}.
 *
 * <p>{@code affinity: cookie} pins a client to an endpoint by a cookie ({@code session-cookie-name}
 * default {@code INGRESSCOOKIE}, {@code -path} default the route's path, {@code -max-age} and
 * {@code -expires} whole seconds (max-age wins; absent: a session cookie), {@code -samesite},
 * {@code -secure}, {@code -change-on-failure}). ingress-nginx's {@code affinity-mode: balanced}
 * (its default) may move some sessions to new endpoints when the backend scales up; {@code
 * persistent} never moves them. Gatehouse's affinity is persistent: a client stays on its endpoint
 * while that endpoint is available, and both modes are served that way ({@code balanced} with a
 * warning). {@code session-cookie-samesite: None} implies {@code Secure}, which browsers require;
 * {@code session-cookie-conditional-samesite-none} (omit {@code SameSite=None} for old browsers) is
 * not applied, with a warning: every client gets {@code SameSite=None}. {@code
 * session-cookie-domain} and {@code -partitioned} are refused (catalogue entries: cookie attributes
 * the model lacks), and {@code affinity-canary-behavior} is always {@code legacy} (read in {@link
 * IngressAnnotations}, where the canary's keys are). Each key's outcome is its {@link #CATALOGUE}
 * entry. Without {@code affinity: cookie}, ingress-nginx's {@code session-cookie-*} keys mean
 * nothing and are ignored with a warning (Gatehouse's own {@code gatehouse.io/session-cookie-*}
 * make a sticky canary split).
 */
final class ResilienceAnnotations {
  /** What the annotations ask for: a backend policy (null for none) and a Retry (null for none). */
  record Result(@Nullable BackendPolicy policy, @Nullable Retry retry) {}

  /** Where problems go: a warning, or a refusal of the Ingress. */
  interface Sink {
    void problem(String reason, String message);

    void refuse(String reason, String key, String why);
  }

  /** The keys read here (without their prefix), so the generic check knows them. */
  static final List<String> KNOWN =
      List.of(
          "load-balance",
          "hash-on",
          "slow-start",
          "panic-threshold",
          "health-check-path",
          "health-check-protocol",
          "health-check-interval",
          "health-check-timeout",
          "health-check-jitter",
          "health-check-unhealthy-threshold",
          "health-check-healthy-threshold",
          "health-check-host",
          "health-check-statuses",
          "health-check-grpc-service",
          "outlier-detection",
          "outlier-consecutive-5xx",
          "outlier-consecutive-gateway-errors",
          "outlier-interval",
          "outlier-base-ejection-time",
          "outlier-max-ejection-time",
          "outlier-max-ejection-percent",
          "outlier-success-rate-stdev-factor",
          "max-connections",
          "max-pending-requests",
          "max-requests",
          "max-retries",
          "retry-on",
          "retry-statuses",
          "retry-grpc-statuses",
          "retry-attempts",
          "retry-per-try-timeout",
          "retry-timeout",
          "retry-non-idempotent");

  /** The catalogue entries of the ingress-nginx annotations read here ({@link NginxCatalogue}). */
  static final List<NginxAnnotation> CATALOGUE =
      List.of(
          same(
              "load-balance",
              "LoadBalancing",
              ROUTING,
              "round_robin, or ewma served by Gatehouse's peak-EWMA balancer; any other value"
                  + " refuses the Ingress.",
              Map.of("load-balance", "ewma")),
          same(
              "upstream-hash-by",
              "UpstreamHashBy",
              ROUTING,
              "On a consistent ring, by one of $remote_addr, $binary_remote_addr, $http_NAME,"
                  + " $cookie_NAME or $arg_NAME; any other variable ($request_uri, $host) or a"
                  + " combination refuses the Ingress.",
              Map.of("upstream-hash-by", "$remote_addr")),
          NginxAnnotation.refused(
              "upstream-hash-by-subset",
              "UpstreamHashBy",
              ROUTING,
              "Hashing to a subset of endpoints is not implemented; hashing to one endpoint instead"
                  + " would balance otherwise",
              "true"),
          NginxAnnotation.refused(
              "upstream-hash-by-subset-size",
              "UpstreamHashBy",
              ROUTING,
              "Hashing to a subset of endpoints is not implemented; hashing to one endpoint instead"
                  + " would balance otherwise",
              "3"),
          same(
              "affinity",
              "SessionAffinity",
              ROUTING,
              "Only cookie, as ingress-nginx; the cookie's value is an opaque hash of the endpoint"
                  + " (HttpOnly).",
              Map.of("affinity", "cookie")),
          different(
              "affinity-mode",
              "SessionAffinity",
              ROUTING,
              "Always persistent: a client keeps its endpoint while it is available. With balanced"
                  + " (ingress-nginx's default) no session is moved to new endpoints when the"
                  + " backend scales up (a Warning says so).",
              Map.of("affinity", "cookie", "affinity-mode", "persistent")),
          different(
              "affinity-canary-behavior",
              "SessionAffinity",
              ROUTING,
              "Always legacy: the affinity cookie pins an endpoint, never the canary; a canary's"
                  + " weight is drawn per request (sticky, ingress-nginx's default, gets a Warning;"
                  + " gatehouse.io/session-cookie-name on the primary makes the split sticky).",
              Map.of(
                  "canary", "true", "canary-weight", "10", "affinity-canary-behavior", "legacy")),
          same(
              "session-cookie-name",
              "SessionAffinity",
              ROUTING,
              "Default INGRESSCOOKIE.",
              Map.of("affinity", "cookie", "session-cookie-name", "route")),
          same(
              "session-cookie-path",
              "SessionAffinity",
              ROUTING,
              "Default: the route's path.",
              Map.of("affinity", "cookie", "session-cookie-path", "/app")),
          NginxAnnotation.refused(
              "session-cookie-domain",
              "SessionAffinity",
              ROUTING,
              "The sticky cookie's Domain attribute is not in Gatehouse's model yet; without it"
                  + " clients of the other hosts of the domain would lose their endpoint",
              "example.com"),
          NginxAnnotation.refused(
              "session-cookie-partitioned",
              "SessionAffinity",
              ROUTING,
              "The sticky cookie's Partitioned attribute is not in Gatehouse's model yet; without it"
                  + " browsers drop the cookie in third-party contexts and clients lose their"
                  + " endpoint",
              "true"),
          same(
              "session-cookie-max-age",
              "SessionAffinity",
              ROUTING,
              "Whole seconds; without it and without session-cookie-expires, a session cookie.",
              Map.of("affinity", "cookie", "session-cookie-max-age", "3600")),
          different(
              "session-cookie-expires",
              "SessionAffinity",
              ROUTING,
              "Sent as Max-Age of the same seconds (no Expires attribute); session-cookie-max-age"
                  + " wins when both are set.",
              Map.of("affinity", "cookie", "session-cookie-expires", "3600")),
          same(
              "session-cookie-samesite",
              "SessionAffinity",
              SECURITY,
              "None, Lax or Strict; with None the cookie is also Secure, which browsers require.",
              Map.of("affinity", "cookie", "session-cookie-samesite", "Strict")),
          same(
              "session-cookie-secure",
              "SessionAffinity",
              SECURITY,
              "Without it, Secure when the request came over TLS.",
              Map.of("affinity", "cookie", "session-cookie-secure", "true")),
          same(
              "session-cookie-change-on-failure",
              "SessionAffinity",
              ROUTING,
              "",
              Map.of("affinity", "cookie", "session-cookie-change-on-failure", "true")),
          different(
              "session-cookie-conditional-samesite-none",
              "SessionAffinity",
              OTHER,
              "Not applied: every client gets SameSite=None, also the old browsers ingress-nginx"
                  + " leaves it out for (they may then drop the cookie and lose their endpoint).",
              Map.of(
                  "affinity",
                  "cookie",
                  "session-cookie-samesite",
                  "None",
                  "session-cookie-conditional-samesite-none",
                  "true")),
          same(
              "proxy-next-upstream",
              "Proxy",
              ROUTING,
              "error, timeout, invalid_header, http_500 to http_504, http_403, http_404, http_429,"
                  + " non_idempotent and off, as a Retry policy.",
              Map.of("proxy-next-upstream", "error timeout http_502")),
          same(
              "proxy-next-upstream-tries",
              "Proxy",
              ROUTING,
              "Counts the first try; 0 (nginx's no limit) is Gatehouse's most, 10 tries, with a"
                  + " Warning.",
              Map.of("proxy-next-upstream-tries", "2")),
          same(
              "proxy-next-upstream-timeout",
              "Proxy",
              OTHER,
              "Whole seconds for all the tries together; 0 for none.",
              Map.of("proxy-next-upstream-timeout", "10")));

  static final List<String> NGINX_KNOWN =
      List.of(
          "load-balance",
          "upstream-hash-by",
          "upstream-hash-by-subset",
          "upstream-hash-by-subset-size",
          "affinity",
          "affinity-mode",
          "session-cookie-name",
          "session-cookie-path",
          "session-cookie-max-age",
          "session-cookie-expires",
          "session-cookie-samesite",
          "session-cookie-secure",
          "session-cookie-change-on-failure",
          "session-cookie-conditional-samesite-none",
          "proxy-next-upstream",
          "proxy-next-upstream-tries",
          "proxy-next-upstream-timeout");

  private static final Pattern NGINX_VAR = Pattern.compile("\\$([a-z_][a-z0-9_]*)");
  private static final Pattern INT = Pattern.compile("-?[0-9]{1,9}");

  private final Map<String, String> all;
  private final Sink sink;

  private ResilienceAnnotations(Map<String, String> all, Sink sink) {
    this.all = all;
    this.sink = sink;
  }

  static Result parse(Map<String, String> all, Sink sink) {
    return new ResilienceAnnotations(all, sink).parse();
  }

  private Result parse() {
    boolean any = false;
    LoadBalancing lb = loadBalancing();
    any |= lb != null;
    HealthCheck hc = healthCheck();
    any |= hc != null;
    OutlierDetection od = OutlierDetection.DEFAULT;
    boolean outlierSet = false;
    for (String k : KNOWN) {
      outlierSet |= k.startsWith("outlier-") && all.containsKey(PREFIX + k);
    }
    if (outlierSet) {
      od = outliers();
      any = true;
    }
    CircuitBreaker d = CircuitBreaker.DEFAULT;
    Integer conns = integer("max-connections");
    Integer pending = integer("max-pending-requests");
    Integer requests = integer("max-requests");
    Integer retries = integer("max-retries");
    any |= conns != null || pending != null || requests != null || retries != null;
    CircuitBreaker cb =
        new CircuitBreaker(
            conns == null ? d.maxConnections() : conns,
            pending == null ? d.maxPendingRequests() : pending,
            requests == null ? d.maxRequests() : requests,
            retries == null ? d.maxRetries() : retries);
    BackendPolicy policy =
        any ? new BackendPolicy(lb == null ? LoadBalancing.DEFAULT : lb, hc, od, cb) : null;
    return new Result(policy, retry());
  }

  // ---- load balancing

  private @Nullable LoadBalancing loadBalancing() {
    LoadBalancing.Algorithm algorithm = null;
    String own = own("load-balance");
    String nginx = nginx("load-balance");
    if (own != null) {
      algorithm = algorithm(own);
      if (algorithm == null) {
        sink.refuse(
            "UnsupportedAnnotation",
            PREFIX + "load-balance",
            "\""
                + own
                + "\" (expected: round-robin, least-request, power-of-two-choices, peak-ewma,"
                + " ring-hash or maglev); the Ingress is not served rather than balanced"
                + " otherwise");
      }
    } else if (nginx != null) {
      switch (nginx.toLowerCase(Locale.ROOT)) {
        case "round_robin" -> algorithm = LoadBalancing.Algorithm.ROUND_ROBIN;
        case "ewma" -> algorithm = LoadBalancing.Algorithm.PEAK_EWMA;
        default ->
            sink.refuse(
                "UnsupportedAnnotation",
                NGINX + "load-balance",
                "\""
                    + nginx
                    + "\" (expected: round_robin or ewma); the Ingress is not served rather than"
                    + " balanced otherwise");
      }
    }
    HashOn on = hashOn();
    if (on != null && (algorithm == null || !algorithm.hashes())) {
      if (algorithm != null && own != null) {
        sink.refuse(
            "UnsupportedAnnotation",
            PREFIX + "load-balance",
            "\"" + own + "\" does not hash; hash-on needs ring-hash or maglev");
      }
      // ingress-nginx: upstream-hash-by wins over load-balance, on a consistent ring
      algorithm = LoadBalancing.Algorithm.RING_HASH;
    } else if (on == null && algorithm != null && algorithm.hashes()) {
      sink.refuse(
          "UnsupportedAnnotation",
          PREFIX + "load-balance",
          "\"" + own + "\" needs " + PREFIX + "hash-on (what to hash)");
    }
    CookieAffinity affinity = affinity();
    Duration slow = null;
    String s = own("slow-start");
    if (s != null) {
      slow = duration(PREFIX + "slow-start", s);
    }
    Integer panic = integer("panic-threshold");
    if (algorithm == null && on == null && affinity == null && slow == null && panic == null) {
      return null;
    }
    return new LoadBalancing(
        algorithm == null ? LoadBalancing.Algorithm.ROUND_ROBIN : algorithm,
        on,
        affinity,
        slow,
        panic == null ? LoadBalancing.DEFAULT_PANIC_THRESHOLD_PERCENT : panic);
  }

  private static LoadBalancing.@Nullable Algorithm algorithm(String v) {
    return switch (v.toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "round-robin" -> LoadBalancing.Algorithm.ROUND_ROBIN;
      case "least-request" -> LoadBalancing.Algorithm.LEAST_REQUEST;
      case "power-of-two-choices" -> LoadBalancing.Algorithm.POWER_OF_TWO;
      case "peak-ewma", "ewma" -> LoadBalancing.Algorithm.PEAK_EWMA;
      case "ring-hash" -> LoadBalancing.Algorithm.RING_HASH;
      case "maglev" -> LoadBalancing.Algorithm.MAGLEV;
      default -> null;
    };
  }

  private @Nullable HashOn hashOn() {
    // upstream-hash-by-subset(-size) are REFUSED catalogue entries: the generic check refuses
    String own = own("hash-on");
    if (own != null) {
      int colon = own.indexOf(':');
      String kind = colon < 0 ? own : own.substring(0, colon);
      String name = colon < 0 ? "" : own.substring(colon + 1).trim();
      HashOn on =
          switch (kind.trim().toLowerCase(Locale.ROOT)) {
            case "header" -> name.isEmpty() ? null : HashOn.header(name);
            case "cookie" -> name.isEmpty() ? null : HashOn.cookie(name);
            case "query" -> name.isEmpty() ? null : HashOn.queryParameter(name);
            case "source-address" -> colon < 0 ? HashOn.SOURCE_ADDRESS : null;
            default -> null;
          };
      if (on == null) {
        sink.refuse(
            "UnsupportedAnnotation",
            PREFIX + "hash-on",
            "\""
                + own
                + "\" (expected: header:NAME, cookie:NAME, query:NAME or source-address); the"
                + " Ingress is not served rather than balanced otherwise");
      }
      return on;
    }
    String nginx = nginx("upstream-hash-by");
    if (nginx == null) {
      return null;
    }
    Matcher m = NGINX_VAR.matcher(nginx);
    HashOn on = null;
    if (m.matches()) {
      String var = m.group(1);
      if (var.equals("remote_addr") || var.equals("binary_remote_addr")) {
        on = HashOn.SOURCE_ADDRESS;
      } else if (var.startsWith("http_") && var.length() > 5) {
        on = HashOn.header(var.substring(5).replace('_', '-'));
      } else if (var.startsWith("cookie_") && var.length() > 7) {
        on = HashOn.cookie(var.substring(7));
      } else if (var.startsWith("arg_") && var.length() > 4) {
        on = HashOn.queryParameter(var.substring(4));
      }
    }
    if (on == null) {
      sink.refuse(
          "UnsupportedAnnotation",
          NGINX + "upstream-hash-by",
          "\""
              + nginx
              + "\" cannot be hashed here (expected one of $remote_addr, $binary_remote_addr,"
              + " $http_NAME, $cookie_NAME or $arg_NAME; not $request_uri, $uri, other variables"
              + " or several); the Ingress is not served rather than balanced otherwise");
    }
    return on;
  }

  private @Nullable CookieAffinity affinity() {
    String affinity = nginx("affinity");
    List<String> cookieKeys = new ArrayList<>();
    for (String k : NGINX_KNOWN) {
      if ((k.startsWith("session-cookie-") || k.equals("affinity-mode")) && nginx(k) != null) {
        cookieKeys.add(k);
      }
    }
    if (affinity == null || !affinity.equalsIgnoreCase("cookie")) {
      if (affinity != null) {
        sink.refuse(
            "UnsupportedAnnotation",
            NGINX + "affinity",
            "\"" + affinity + "\" (expected: cookie); the Ingress is not served");
      }
      for (String k : cookieKeys) {
        sink.problem(
            "UnsupportedAnnotation",
            NGINX
                + k
                + ": \""
                + nginx(k)
                + "\" is ignored without affinity: cookie (a sticky canary split is "
                + PREFIX
                + "session-cookie-name)");
      }
      return null;
    }
    String mode = nginx("affinity-mode");
    if (mode != null && mode.equalsIgnoreCase("balanced")) {
      sink.problem(
          "UnsupportedAnnotation",
          NGINX
              + "affinity-mode: \"balanced\" is served as persistent (a client keeps its endpoint"
              + " while it is available; sessions are not moved to new endpoints)");
    } else if (mode != null && !mode.equalsIgnoreCase("persistent")) {
      sink.refuse(
          "UnsupportedAnnotation",
          NGINX + "affinity-mode",
          "\"" + mode + "\" (expected: balanced or persistent)");
    }
    if (nginx("session-cookie-conditional-samesite-none") != null) {
      sink.problem(
          "UnsupportedAnnotation",
          NGINX
              + "session-cookie-conditional-samesite-none: \""
              + nginx("session-cookie-conditional-samesite-none")
              + "\" is not applied: every client gets SameSite=None");
    }
    String name = nginx("session-cookie-name");
    String path = nginx("session-cookie-path");
    Duration maxAge = seconds("session-cookie-max-age");
    if (maxAge == null) {
      maxAge = seconds("session-cookie-expires");
    }
    String sameSite = nginx("session-cookie-samesite");
    Boolean secure = bool(NGINX + "session-cookie-secure", nginx("session-cookie-secure"));
    if (sameSite != null && sameSite.equalsIgnoreCase("none") && secure == null) {
      secure = true; // browsers drop SameSite=None without Secure
    }
    Boolean change =
        bool(NGINX + "session-cookie-change-on-failure", nginx("session-cookie-change-on-failure"));
    return new CookieAffinity(
        name == null ? CookieAffinity.DEFAULT_NAME : name,
        maxAge,
        path,
        secure,
        sameSite,
        true,
        Boolean.TRUE.equals(change));
  }

  // ---- health checks and outliers

  private @Nullable HealthCheck healthCheck() {
    boolean any = false;
    for (String k : KNOWN) {
      any |= k.startsWith("health-check-") && all.containsKey(PREFIX + k);
    }
    if (!any) {
      return null;
    }
    String proto = own("health-check-protocol");
    String path = own("health-check-path");
    HealthCheck.Protocol protocol =
        proto == null ? (path != null ? HealthCheck.Protocol.HTTP : null) : protocol(proto);
    if (protocol == null) {
      sink.refuse(
          "UnsupportedAnnotation",
          PREFIX + (proto == null ? "health-check-path" : "health-check-protocol"),
          proto == null
              ? "missing: health checks need health-check-path (HTTP) or health-check-protocol"
                  + " (grpc, tcp)"
              : "\"" + proto + "\" (expected: http, grpc or tcp)");
      return null;
    }
    List<HealthCheck.StatusRange> statuses = HealthCheck.DEFAULT_STATUSES;
    String st = own("health-check-statuses");
    if (st != null) {
      statuses = new ArrayList<>();
      for (String item : st.split(",", -1)) {
        String t = item.trim();
        int dash = t.indexOf('-');
        Integer from = parseInt(dash < 0 ? t : t.substring(0, dash));
        Integer to = dash < 0 ? from : parseInt(t.substring(dash + 1));
        if (from == null || to == null) {
          sink.refuse(
              "InvalidAnnotation",
              PREFIX + "health-check-statuses",
              "\"" + st + "\" (expected: statuses and ranges such as 200-399,418)");
          break;
        }
        statuses.add(new HealthCheck.StatusRange(from, to));
      }
    }
    String grpc = own("health-check-grpc-service");
    Integer unhealthy = integer("health-check-unhealthy-threshold");
    Integer healthy = integer("health-check-healthy-threshold");
    return new HealthCheck(
        protocol,
        protocol == HealthCheck.Protocol.HTTP ? (path == null ? "/" : path) : path,
        own("health-check-host"),
        statuses,
        grpc == null ? "" : grpc,
        ownDuration("health-check-interval", HealthCheck.DEFAULT_INTERVAL),
        ownDuration("health-check-timeout", HealthCheck.DEFAULT_TIMEOUT),
        ownDuration("health-check-jitter", HealthCheck.DEFAULT_JITTER),
        unhealthy == null ? HealthCheck.DEFAULT_UNHEALTHY_THRESHOLD : unhealthy,
        healthy == null ? HealthCheck.DEFAULT_HEALTHY_THRESHOLD : healthy);
  }

  private static HealthCheck.@Nullable Protocol protocol(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "http" -> HealthCheck.Protocol.HTTP;
      case "grpc" -> HealthCheck.Protocol.GRPC;
      case "tcp" -> HealthCheck.Protocol.TCP;
      default -> null;
    };
  }

  private @Nullable OutlierDetection outliers() {
    String onOff = own("outlier-detection");
    if (onOff != null) {
      if (onOff.equalsIgnoreCase("off") || onOff.equalsIgnoreCase("false")) {
        for (String k : KNOWN) {
          if (k.startsWith("outlier-") && !k.equals("outlier-detection") && own(k) != null) {
            sink.problem(
                "UnsupportedAnnotation",
                PREFIX + k + ": \"" + own(k) + "\" is ignored (outlier-detection is off)");
          }
        }
        return null;
      }
      if (!onOff.equalsIgnoreCase("on") && !onOff.equalsIgnoreCase("true")) {
        sink.refuse(
            "InvalidAnnotation",
            PREFIX + "outlier-detection",
            "\"" + onOff + "\" (expected: on or off)");
      }
    }
    OutlierDetection d = OutlierDetection.DEFAULT;
    Integer c5 = integer("outlier-consecutive-5xx");
    Integer cg = integer("outlier-consecutive-gateway-errors");
    Integer percent = integer("outlier-max-ejection-percent");
    OutlierDetection.SuccessRate sr = null;
    String factor = own("outlier-success-rate-stdev-factor");
    if (factor != null) {
      Integer th = null;
      try {
        th = new BigDecimal(factor).movePointRight(3).intValueExact();
      } catch (NumberFormatException | ArithmeticException e) {
        sink.refuse(
            "InvalidAnnotation",
            PREFIX + "outlier-success-rate-stdev-factor",
            "\"" + factor + "\" (expected: a factor such as 1.9, at most 3 decimals)");
      }
      OutlierDetection.SuccessRate sd = OutlierDetection.SuccessRate.DEFAULT;
      sr =
          new OutlierDetection.SuccessRate(
              sd.minimumHosts(), sd.requestVolume(), th == null ? sd.stdevFactorThousandths() : th);
    }
    return new OutlierDetection(
        c5 == null ? d.consecutive5xx() : c5,
        cg == null ? d.consecutiveGatewayErrors() : cg,
        sr,
        ownDuration("outlier-interval", d.interval()),
        ownDuration("outlier-base-ejection-time", d.baseEjectionTime()),
        ownDuration("outlier-max-ejection-time", d.maxEjectionTime()),
        percent == null ? d.maxEjectionPercent() : percent);
  }

  // ---- retry

  private @Nullable Retry retry() {
    boolean own = false;
    for (String k : KNOWN) {
      own |= k.startsWith("retry-") && all.containsKey(PREFIX + k);
    }
    List<String> nginxKeys = new ArrayList<>();
    for (String k :
        List.of(
            "proxy-next-upstream", "proxy-next-upstream-tries", "proxy-next-upstream-timeout")) {
      if (nginx(k) != null) {
        nginxKeys.add(k);
      }
    }
    if (own) {
      for (String k : nginxKeys) {
        sink.problem(
            "UnsupportedAnnotation",
            NGINX + k + ": \"" + nginx(k) + "\" is ignored (" + PREFIX + "retry-* are set)");
      }
      return ownRetry();
    }
    return nginxKeys.isEmpty() ? null : nginxRetry();
  }

  private Retry ownRetry() {
    Set<Retry.Condition> on = EnumSet.noneOf(Retry.Condition.class);
    String list = own("retry-on");
    if (list != null) {
      for (String item : list.split(",", -1)) {
        Retry.Condition c =
            switch (item.trim().toLowerCase(Locale.ROOT)) {
              case "connect-failure" -> Retry.Condition.CONNECT_FAILURE;
              case "reset" -> Retry.Condition.RESET;
              case "refused-stream" -> Retry.Condition.REFUSED_STREAM;
              case "timeout" -> Retry.Condition.TIMEOUT;
              case "gateway-error" -> Retry.Condition.GATEWAY_ERROR;
              case "server-error" -> Retry.Condition.SERVER_ERROR;
              default -> null;
            };
        if (c == null) {
          sink.refuse(
              "InvalidAnnotation",
              PREFIX + "retry-on",
              "\""
                  + item.trim()
                  + "\" (expected: connect-failure, reset, refused-stream, timeout,"
                  + " gateway-error or server-error; statuses go in retry-statuses)");
        } else {
          on.add(c);
        }
      }
    } else {
      on.addAll(DEFAULT_NGINX_CONDITIONS);
    }
    List<Integer> statuses = integers("retry-statuses");
    List<Integer> grpc = integers("retry-grpc-statuses");
    if (!statuses.isEmpty()) {
      on.add(Retry.Condition.STATUS);
    }
    if (!grpc.isEmpty()) {
      on.add(Retry.Condition.GRPC_STATUS);
    }
    Integer attempts = integer("retry-attempts");
    String perTry = own("retry-per-try-timeout");
    String timeout = own("retry-timeout");
    Boolean nonIdempotent = bool(PREFIX + "retry-non-idempotent", own("retry-non-idempotent"));
    return new Retry(
        on,
        statuses,
        grpc,
        attempts == null ? Retry.DEFAULT_ATTEMPTS : attempts,
        perTry == null ? null : duration(PREFIX + "retry-per-try-timeout", perTry),
        timeout == null ? null : duration(PREFIX + "retry-timeout", timeout),
        Retry.DEFAULT_BACKOFF_BASE,
        Retry.DEFAULT_BACKOFF_MAX,
        Retry.DEFAULT_BUDGET_PERCENT,
        Retry.DEFAULT_MIN_RETRY_CONCURRENCY,
        Boolean.TRUE.equals(nonIdempotent),
        Retry.DEFAULT_BUFFER_BYTES);
  }

  /** ingress-nginx's default {@code proxy-next-upstream}: {@code error timeout}. */
  private static final Set<Retry.Condition> DEFAULT_NGINX_CONDITIONS =
      EnumSet.of(Retry.Condition.CONNECT_FAILURE, Retry.Condition.RESET, Retry.Condition.TIMEOUT);

  private Retry nginxRetry() {
    Set<Retry.Condition> on = EnumSet.noneOf(Retry.Condition.class);
    List<Integer> statuses = new ArrayList<>();
    boolean nonIdempotent = false;
    boolean off = false;
    String list = nginx("proxy-next-upstream");
    if (list == null) {
      on.addAll(DEFAULT_NGINX_CONDITIONS);
    } else {
      for (String item : list.trim().split("[\\s,]+", -1)) {
        switch (item.toLowerCase(Locale.ROOT)) {
          case "error" -> {
            on.add(Retry.Condition.CONNECT_FAILURE);
            on.add(Retry.Condition.RESET);
          }
          case "timeout" -> on.add(Retry.Condition.TIMEOUT);
          case "invalid_header" -> on.add(Retry.Condition.RESET);
          case "http_500",
              "http_502",
              "http_503",
              "http_504",
              "http_403",
              "http_404",
              "http_429" -> {
            on.add(Retry.Condition.STATUS);
            statuses.add(Integer.parseInt(item.substring(5)));
          }
          case "non_idempotent" -> nonIdempotent = true;
          case "off" -> off = true;
          default ->
              sink.refuse(
                  "UnsupportedAnnotation",
                  NGINX + "proxy-next-upstream",
                  "\""
                      + item
                      + "\" (expected: error, timeout, invalid_header, http_500, http_502,"
                      + " http_503, http_504, http_403, http_404, http_429, non_idempotent or"
                      + " off); the Ingress is not served rather than retried otherwise");
        }
      }
    }
    int attempts = Retry.DEFAULT_ATTEMPTS;
    String tries = nginx("proxy-next-upstream-tries");
    if (tries != null) {
      Integer n = parseInt(tries);
      if (n == null || n < 0) {
        sink.refuse(
            "InvalidAnnotation",
            NGINX + "proxy-next-upstream-tries",
            "\"" + tries + "\" (expected: a whole number of tries, 0 for no limit)");
      } else if (n == 0 || n - 1 > RetryValidator.MAX_ATTEMPTS) {
        sink.problem(
            "UnsupportedAnnotation",
            NGINX
                + "proxy-next-upstream-tries: \""
                + tries
                + "\" is served as "
                + (RetryValidator.MAX_ATTEMPTS + 1)
                + " tries, Gatehouse's most (nginx never tries an endpoint twice either)");
        attempts = RetryValidator.MAX_ATTEMPTS;
      } else {
        attempts = n - 1;
      }
    }
    Duration timeout = null;
    String t = nginx("proxy-next-upstream-timeout");
    if (t != null) {
      Integer s = parseInt(t.endsWith("s") ? t.substring(0, t.length() - 1) : t);
      if (s == null || s < 0) {
        sink.refuse(
            "InvalidAnnotation",
            NGINX + "proxy-next-upstream-timeout",
            "\"" + t + "\" (expected: whole seconds, 0 for no limit)");
      } else if (s > 0) {
        timeout = Duration.ofSeconds(s);
      }
    }
    if (off || on.isEmpty()) {
      // nginx's off: never the next upstream, not even after a connect failure
      return Retry.on(EnumSet.of(Retry.Condition.CONNECT_FAILURE)).withAttempts(0);
    }
    return new Retry(
        on,
        statuses,
        List.of(),
        attempts,
        null,
        timeout,
        Retry.DEFAULT_BACKOFF_BASE,
        Retry.DEFAULT_BACKOFF_MAX,
        Retry.DEFAULT_BUDGET_PERCENT,
        Retry.DEFAULT_MIN_RETRY_CONCURRENCY,
        nonIdempotent,
        Retry.DEFAULT_BUFFER_BYTES);
  }

  // ---- values

  private @Nullable String own(String name) {
    String v = all.get(PREFIX + name);
    return v == null ? null : v.trim();
  }

  private @Nullable String nginx(String name) {
    String v = all.get(NGINX + name);
    return v == null ? null : v.trim();
  }

  private static @Nullable Integer parseInt(String v) {
    String t = v.trim();
    return INT.matcher(t).matches() ? Integer.valueOf(t) : null;
  }

  /** A {@code gatehouse.io/} whole number, or null when absent (refusing when malformed). */
  private @Nullable Integer integer(String name) {
    String v = own(name);
    if (v == null) {
      return null;
    }
    Integer n = parseInt(v);
    if (n == null) {
      sink.refuse("InvalidAnnotation", PREFIX + name, "\"" + v + "\" (expected: a whole number)");
    }
    return n;
  }

  private List<Integer> integers(String name) {
    String v = own(name);
    List<Integer> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    for (String item : v.split(",", -1)) {
      Integer n = parseInt(item);
      if (n == null) {
        sink.refuse(
            "InvalidAnnotation",
            PREFIX + name,
            "\"" + v + "\" (expected: a comma-separated list of whole numbers)");
        return List.of();
      }
      out.add(n);
    }
    return out;
  }

  private Duration ownDuration(String name, Duration dflt) {
    String v = own(name);
    if (v == null) {
      return dflt;
    }
    Duration d = duration(PREFIX + name, v);
    return d == null ? dflt : d;
  }

  private @Nullable Duration duration(String key, String v) {
    Duration d = IngressAnnotations.goDuration(v);
    if (d == null) {
      sink.refuse(
          "InvalidAnnotation", key, "\"" + v + "\" (expected: a duration such as 500ms, 15s, 2m)");
    }
    return d;
  }

  /** An ingress-nginx cookie lifetime in whole seconds, or null when absent (refused if bad). */
  private @Nullable Duration seconds(String name) {
    String v = nginx(name);
    if (v == null) {
      return null;
    }
    Integer n = parseInt(v);
    if (n == null || n < 1) {
      sink.refuse(
          "InvalidAnnotation", NGINX + name, "\"" + v + "\" (expected: whole seconds, at least 1)");
      return null;
    }
    return Duration.ofSeconds(n);
  }

  private @Nullable Boolean bool(String key, @Nullable String v) {
    if (v == null) {
      return null;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    sink.refuse("InvalidAnnotation", key, "\"" + v + "\" (expected: true or false)");
    return null;
  }
}
