package io.gatehouse.k8s.translate.gateway;

import static io.gatehouse.k8s.translate.gateway.GatewayObjects.integer;
import static io.gatehouse.k8s.translate.gateway.GatewayObjects.list;
import static io.gatehouse.k8s.translate.gateway.GatewayObjects.map;
import static io.gatehouse.k8s.translate.gateway.GatewayObjects.maps;
import static io.gatehouse.k8s.translate.gateway.GatewayObjects.str;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.validate.RetryValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An HTTPRoute's (or GRPCRoute's) matches and filters in the route model's terms. What the model
 * cannot express is a {@link Unsupported} naming the field, so the route is refused with {@code
 * UnsupportedValue} instead of being served differently from what it says.
 */
final class RouteRules {
  private RouteRules() {}

  /** A value Gatehouse does not serve; the message names the field and the value. */
  static final class Unsupported extends Exception {
    Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  /** One match: the route model's conditions. */
  record Match(
      PathMatch path, Set<String> methods, List<HeaderMatch> headers, List<QueryMatch> queries) {}

  /** The match of a rule without matches: every request ({@code PathPrefix /}). */
  static final Match ALL = new Match(PathMatch.prefix("/"), Set.of(), List.of(), List.of());

  static Match httpMatch(String field, Map<String, Object> m) throws Unsupported {
    Map<String, Object> path = map(m.get("path"));
    String type = str(path.get("type"));
    String value = str(path.get("value"));
    value = value == null ? "/" : value;
    PathMatch p =
        switch (type == null ? "PathPrefix" : type) {
          case "Exact" -> PathMatch.exact(value);
          case "PathPrefix" -> PathMatch.prefix(value);
          case "RegularExpression" -> PathMatch.regex(value);
          default -> throw new Unsupported(field + ".path.type: \"" + type + "\"");
        };
    String method = str(m.get("method"));
    return new Match(
        p,
        method == null ? Set.of() : Set.of(method),
        headers(field + ".headers", m.get("headers")),
        queries(field + ".queryParams", m.get("queryParams")));
  }

  /**
   * A GRPCRoute match: {@code method.service} and {@code method.method} become the path {@code
   * /service/method} (a prefix {@code /service} without a method), gRPC's HTTP/2 mapping.
   */
  static Match grpcMatch(String field, Map<String, Object> m) throws Unsupported {
    Map<String, Object> method = map(m.get("method"));
    String type = str(method.get("type"));
    String service = str(method.get("service"));
    String name = str(method.get("method"));
    PathMatch p;
    if (type == null || type.equals("Exact")) {
      if (service == null && name == null) {
        p = PathMatch.prefix("/");
      } else if (name == null) {
        p = PathMatch.prefix("/" + service);
      } else if (service == null) {
        p = PathMatch.regex("/[^/]+/" + name); // the CRD allows only [A-Za-z_][A-Za-z_0-9]*
      } else {
        p = PathMatch.exact("/" + service + "/" + name);
      }
    } else if (type.equals("RegularExpression")) {
      p =
          PathMatch.regex(
              "/" + (service == null ? "[^/]+" : service) + "/" + (name == null ? "[^/]+" : name));
    } else {
      throw new Unsupported(field + ".method.type: \"" + type + "\"");
    }
    return new Match(p, Set.of(), headers(field + ".headers", m.get("headers")), List.of());
  }

  private static List<HeaderMatch> headers(String field, @Nullable Object raw) throws Unsupported {
    List<HeaderMatch> out = new ArrayList<>();
    for (Map<String, Object> h : maps(raw)) {
      out.add(
          new HeaderMatch(
              String.valueOf(h.get("name")),
              valueType(field, str(h.get("type"))),
              String.valueOf(h.get("value"))));
    }
    return out;
  }

  private static List<QueryMatch> queries(String field, @Nullable Object raw) throws Unsupported {
    List<QueryMatch> out = new ArrayList<>();
    for (Map<String, Object> q : maps(raw)) {
      out.add(
          new QueryMatch(
              String.valueOf(q.get("name")),
              valueType(field, str(q.get("type"))),
              String.valueOf(q.get("value"))));
    }
    return out;
  }

  private static ValueMatchType valueType(String field, @Nullable String type) throws Unsupported {
    return switch (type == null ? "Exact" : type) {
      case "Exact" -> ValueMatchType.EXACT;
      case "RegularExpression" -> ValueMatchType.REGULAR_EXPRESSION;
      default -> throw new Unsupported(field + ".type: \"" + type + "\"");
    };
  }

  /**
   * Resolves a backendRef of a mirror filter: null when it cannot be (the caller reports it in
   * {@code ResolvedRefs}, and the mirror is left out: nothing the client sees depends on it).
   */
  interface Mirrors {
    @Nullable BackendRef mirror(String field, Map<String, Object> backendRef);
  }

  /**
   * A rule's filters as policies, in order. {@code ExtensionRef} and kinds unknown to Gatehouse are
   * unsupported.
   */
  static List<PolicySpec> filters(String field, List<Map<String, Object>> filters, Mirrors mirrors)
      throws Unsupported {
    List<PolicySpec> out = new ArrayList<>();
    for (int i = 0; i < filters.size(); i++) {
      Map<String, Object> f = filters.get(i);
      String ff = field + "[" + i + "]";
      String type = String.valueOf(f.get("type"));
      switch (type) {
        case "RequestHeaderModifier" -> {
          Map<String, Object> m = map(f.get("requestHeaderModifier"));
          out.add(new RequestHeaders(pairs(m.get("set")), pairs(m.get("add")), names(m)));
        }
        case "ResponseHeaderModifier" -> {
          Map<String, Object> m = map(f.get("responseHeaderModifier"));
          out.add(new ResponseHeaders(pairs(m.get("set")), pairs(m.get("add")), names(m)));
        }
        case "RequestRedirect" -> {
          Map<String, Object> m = map(f.get("requestRedirect"));
          out.add(
              RequestRedirect.of(
                  str(m.get("scheme")),
                  str(m.get("hostname")),
                  m.get("port") instanceof Number n ? n.intValue() : null,
                  pathModifier(ff + ".requestRedirect.path", m.get("path")),
                  integer(m.get("statusCode"), RequestRedirect.DEFAULT_STATUS)));
        }
        case "URLRewrite" -> {
          Map<String, Object> m = map(f.get("urlRewrite"));
          out.add(
              URLRewrite.of(
                  str(m.get("hostname")), pathModifier(ff + ".urlRewrite.path", m.get("path"))));
        }
        case "RequestMirror" -> {
          Map<String, Object> m = map(f.get("requestMirror"));
          int num = RequestMirror.PERCENT;
          int den = RequestMirror.PERCENT;
          if (m.get("percent") instanceof Number p) {
            num = p.intValue();
          } else if (m.get("fraction") instanceof Map<?, ?>) {
            Map<String, Object> fr = map(m.get("fraction"));
            num = integer(fr.get("numerator"), 0);
            den = integer(fr.get("denominator"), RequestMirror.PERCENT);
          }
          BackendRef target =
              mirrors.mirror(ff + ".requestMirror.backendRef", map(m.get("backendRef")));
          if (target == null) {
            continue;
          }
          out.add(
              new RequestMirror(
                  target,
                  num,
                  den,
                  null,
                  true,
                  RequestMirror.DEFAULT_MAX_BODY_BYTES,
                  RequestMirror.DEFAULT_MAX_IN_FLIGHT));
        }
        case "CORS" -> {
          Map<String, Object> m = map(f.get("cors"));
          out.add(
              new Cors(
                  strings(m.get("allowOrigins")),
                  List.of(),
                  strings(m.get("allowMethods")),
                  strings(m.get("allowHeaders")),
                  strings(m.get("exposeHeaders")),
                  Boolean.TRUE.equals(m.get("allowCredentials")),
                  integer(m.get("maxAge"), Cors.DEFAULT_MAX_AGE)));
        }
        default ->
            throw new Unsupported(
                ff + ".type: \"" + type + "\" (Gatehouse serves no filter of this type)");
      }
    }
    return out;
  }

  /** The CRD's default for {@code retry.attempts}. */
  static final int DEFAULT_RETRY_ATTEMPTS = 1;

  /**
   * An HTTPRoute rule's {@code retry} (GEP-1731) as a {@link Retry} policy, or null when the rule
   * has none. A retried request is one the backend did not process: the connection failed (refused,
   * reset, an HTTP/2 stream refused), the answer's status is one of {@code codes}, or, with {@code
   * timeouts.backendRequest}, that attempt timed out (the spec's next attempt after a timed-out
   * one). As for every Retry, a failed connect is retried for any method (nothing was sent) and the
   * rest for idempotent methods only. {@code attempts: 0} disables retries, the node's own
   * connect-failure retry too. More than {@link RetryValidator#MAX_ATTEMPTS} attempts are that
   * many: {@code attempts} is a maximum, and past ten a retry only multiplies an outage. {@code
   * backoff} is the first wait (full jitter), doubled up to ten times it.
   */
  static @Nullable Retry retry(
      String field, @Nullable Map<String, Object> raw, boolean backendRequestTimeout)
      throws Unsupported {
    if (raw == null) {
      return null;
    }
    int attempts = integer(raw.get("attempts"), DEFAULT_RETRY_ATTEMPTS);
    if (attempts < 0) {
      throw new Unsupported(field + ".attempts: " + attempts + " (expected: 0 or more)");
    }
    List<Integer> codes = new ArrayList<>();
    for (Object o : list(raw.get("codes"))) {
      if (!(o instanceof Number n)) {
        throw new Unsupported(field + ".codes: \"" + o + "\" (expected: HTTP statuses)");
      }
      codes.add(n.intValue());
    }
    EnumSet<Retry.Condition> on =
        EnumSet.of(
            Retry.Condition.CONNECT_FAILURE, Retry.Condition.RESET, Retry.Condition.REFUSED_STREAM);
    if (!codes.isEmpty()) {
      on.add(Retry.Condition.STATUS);
    }
    if (backendRequestTimeout) {
      on.add(Retry.Condition.TIMEOUT);
    }
    Duration base = Retry.DEFAULT_BACKOFF_BASE;
    Duration max = Retry.DEFAULT_BACKOFF_MAX;
    String backoff = str(raw.get("backoff"));
    if (backoff != null) {
      base = duration(field + ".backoff", backoff);
      if (base.isZero() || base.compareTo(RetryValidator.MAX_BACKOFF) > 0) {
        // no wait at all would need the spec's refusal anyway; past a minute a retry is no help
        throw new Unsupported(
            field + ".backoff: \"" + backoff + "\" (expected: more than 0s, up to 1m)");
      }
      Duration tenTimes = base.multipliedBy(10);
      max =
          tenTimes.compareTo(RetryValidator.MAX_BACKOFF) > 0
              ? RetryValidator.MAX_BACKOFF
              : tenTimes;
    }
    return new Retry(
        on,
        codes,
        List.of(),
        Math.min(attempts, RetryValidator.MAX_ATTEMPTS),
        null,
        null,
        base,
        max,
        Retry.DEFAULT_BUDGET_PERCENT,
        Retry.DEFAULT_MIN_RETRY_CONCURRENCY,
        false,
        Retry.DEFAULT_BUFFER_BYTES);
  }

  /** The filter types Gatehouse serves on a backendRef: those that can run once it is chosen. */
  static final Set<String> BACKEND_FILTERS =
      Set.of("RequestHeaderModifier", "ResponseHeaderModifier", "URLRewrite");

  /**
   * A backendRef's own filters as policies, in order, applied only to the requests sent to that
   * backend, after the rule's. Other types (a redirect or a CORS answer decides before a backend is
   * chosen, a mirror copies the request whatever backend it goes to) are unsupported there.
   */
  static List<PolicySpec> backendFilters(String field, List<Map<String, Object>> filters)
      throws Unsupported {
    for (int i = 0; i < filters.size(); i++) {
      String type = String.valueOf(filters.get(i).get("type"));
      if (!BACKEND_FILTERS.contains(type)) {
        throw new Unsupported(
            field
                + "["
                + i
                + "].type: \""
                + type
                + "\" (on a backendRef Gatehouse serves RequestHeaderModifier,"
                + " ResponseHeaderModifier and URLRewrite; put the others on the rule)");
      }
    }
    return filters(field, filters, (f, ref) -> null);
  }

  private static @Nullable PathModifier pathModifier(String field, @Nullable Object raw)
      throws Unsupported {
    if (raw == null) {
      return null;
    }
    Map<String, Object> p = map(raw);
    String type = String.valueOf(p.get("type"));
    return switch (type) {
      case "ReplaceFullPath" ->
          PathModifier.fullPath(String.valueOf(p.getOrDefault("replaceFullPath", "/")));
      case "ReplacePrefixMatch" ->
          PathModifier.prefixMatch(String.valueOf(p.getOrDefault("replacePrefixMatch", "/")));
      default -> throw new Unsupported(field + ".type: \"" + type + "\"");
    };
  }

  /**
   * {@code [{name, value}]} as an ordered map. A '$' is doubled: Gateway API values are literal,
   * while the model reads {@code ${...}} as a variable.
   */
  private static Map<String, String> pairs(@Nullable Object raw) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map<String, Object> h : maps(raw)) {
      out.put(String.valueOf(h.get("name")), String.valueOf(h.get("value")).replace("$", "$$"));
    }
    return out;
  }

  private static List<String> names(Map<String, Object> modifier) {
    return strings(modifier.get("remove"));
  }

  private static List<String> strings(@Nullable Object raw) {
    List<String> out = new ArrayList<>();
    for (Object o : list(raw)) {
      out.add(String.valueOf(o));
    }
    return out;
  }

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

  /**
   * A Gateway API duration ({@code 1h}, {@code 10s}, {@code 500ms}, {@code 1m30s}: GEP-2257).
   *
   * @throws Unsupported when it is not one
   */
  static Duration duration(String field, String raw) throws Unsupported {
    Matcher m = DURATION.matcher(raw);
    Duration d = Duration.ZERO;
    int at = 0;
    int parts = 0;
    while (at < raw.length() && parts < 4 && m.find(at) && m.start() == at) {
      parts++;
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
              });
      at = m.end();
    }
    if (raw.isEmpty() || at != raw.length()) {
      throw new Unsupported(
          field + ": \"" + raw + "\" (expected: a duration such as 10s or 1m30s)");
    }
    return d;
  }
}
