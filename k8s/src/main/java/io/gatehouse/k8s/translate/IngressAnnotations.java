package io.gatehouse.k8s.translate;

import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.Limits;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The annotations Gatehouse reads, parsed into one typed record per Ingress. Each {@code
 * gatehouse.io/} key has an ingress-nginx equivalent mapped onto the same field; when both are set
 * the {@code gatehouse.io/} one wins.
 *
 * <pre>
 * gatehouse.io/                 nginx.ingress.kubernetes.io/    model
 * ssl-redirect: true|false      ssl-redirect                    TlsSpec.redirect (308 | off)
 * backend-protocol: HTTP|H2C|GRPC  backend-protocol (HTTP|GRPC)  BackendSpec.protocol (GRPC = h2c)
 * connect-timeout: 5s           proxy-connect-timeout: 5 (s)    Timeouts.connect
 * response-timeout: 15s         proxy-read-timeout: 15 (s)      Timeouts.response and bodyIdle
 * body-idle-timeout: 60s        -                               Timeouts.bodyIdle
 * request-timeout: 300s (0=off) -                               Timeouts.request
 * max-body-size: 8m (0=none)    proxy-body-size                 Limits.maxRequestBodyBytes
 * use-regex: true|false         use-regex                       ImplementationSpecific = RE2
 * load-balance: round_robin     load-balance                    (the only balancer; others warn)
 * </pre>
 *
 * Refused, and the Ingress is then not served at all (fail closed: serving it without them would
 * change what the backend receives or who may reach it): HTTPS/GRPCS/FCGI backend protocols, {@code
 * rewrite-target} (the model has no rewrite), every {@code *-snippet} (never interpreted), nginx's
 * access controls ({@code auth-*}, {@code *-source-range}). Any other {@code
 * nginx.ingress.kubernetes.io/} key is ignored with a warning; an unknown {@code gatehouse.io/} key
 * (a typo, most likely) too.
 *
 * <p>Canaries, as ingress-nginx: {@code canary: "true"} makes the Ingress a {@link Canary} that
 * takes {@code canary-weight} (0 to {@code canary-weight-total}, default 0) out of {@code
 * canary-weight-total} (default 100) of the requests of the Ingress it matches, and, before the
 * weights, the requests its {@code canary-by-header} (with {@code canary-by-header-value} or {@code
 * canary-by-header-pattern}) and {@code canary-by-cookie} send to it ({@link CanaryRule}, same
 * meaning and precedence: header, then cookie, then weight). A canary's other annotations are
 * ignored with a warning (the primary Ingress's apply), except the refused ones above, which still
 * refuse it. Ignored with a warning, as ingress-nginx ignores them: {@code canary-by-header-value}
 * or {@code -pattern} without {@code canary-by-header}, {@code -pattern} beside {@code -value}.
 * Refused canaries (not served; the primary keeps all the traffic): a header or cookie name that is
 * not a token, a header value with control characters, a pattern RE2 cannot express (PCRE's
 * lookaround, backreferences, possessive quantifiers...: ingress-nginx matches with PCRE, and a
 * pattern served differently would send other requests to the canary), a weight or total that is
 * not a whole number, a negative weight, a weight above the total, a total of 0 or above {@value
 * RouteValidator#MAX_WEIGHT}. {@code canary-*} keys on an Ingress that is not a canary are ignored
 * with a warning, as ingress-nginx ("configured but not enabled").
 *
 * @param canary the weights of a canary Ingress that is served; null for an Ingress that is not a
 *     canary, and for a refused canary
 */
public record IngressAnnotations(
    UpstreamProtocol protocol,
    boolean sslRedirect,
    Timeouts timeouts,
    Limits limits,
    boolean useRegex,
    Canary canary,
    boolean refused,
    List<IngressProblem> problems) {
  public static final String PREFIX = "gatehouse.io/";
  public static final String NGINX = "nginx.ingress.kubernetes.io/";

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final Pattern BYTES = Pattern.compile("(\\d+)([kKmMgG]?)");

  /** The default of {@code canary-weight-total}. */
  public static final int DEFAULT_CANARY_TOTAL = 100;

  public IngressAnnotations {
    problems = List.copyOf(problems);
  }

  /**
   * A canary: the requests {@code rule} sends to it (none when null), then {@code weight} of {@code
   * total} of the others of the primary's route go to the canary's backend, the rest to the
   * primary's. {@code 0 <= weight <= total}, {@code 1 <= total <= MAX_WEIGHT}.
   */
  public record Canary(int weight, int total, CanaryRule rule) {
    public Canary {
      if (total < 1 || total > RouteValidator.MAX_WEIGHT || weight < 0 || weight > total) {
        throw new IllegalArgumentException("canary weight " + weight + " of " + total);
      }
    }

    /** A canary by weight alone. */
    public Canary(int weight, int total) {
      this(weight, total, null);
    }
  }

  /** Parses {@code annotations} (null means none) of {@code ingress}. */
  public static IngressAnnotations parse(IngressRef ingress, Map<String, String> annotations) {
    return new Parser(ingress, annotations == null ? Map.of() : annotations).parse();
  }

  private static final class Parser {
    private final IngressRef ingress;
    private final Map<String, String> all;
    private final List<IngressProblem> problems = new ArrayList<>();
    private boolean refused;
    private boolean canary;

    Parser(IngressRef ingress, Map<String, String> annotations) {
      this.ingress = ingress;
      this.all = new TreeMap<>(annotations);
    }

    IngressAnnotations parse() {
      String flag = all.get(NGINX + "canary");
      canary = flag != null && flag.trim().equalsIgnoreCase("true");
      for (Map.Entry<String, String> e : all.entrySet()) {
        check(e.getKey(), e.getValue());
      }
      String[] lb = lookup("load-balance", "load-balance");
      if (lb != null && !lb[1].equalsIgnoreCase("round_robin")) {
        problem(
            "UnsupportedAnnotation",
            lb[0] + ": \"" + lb[1] + "\" is not supported; smooth weighted round_robin is used");
      }
      if (canary) {
        // the settings come from the primary's route; only the weights are the canary's own
        Canary weights = canary();
        return new IngressAnnotations(
            UpstreamProtocol.HTTP1,
            true,
            Timeouts.DEFAULTS,
            Limits.DEFAULTS,
            false,
            refused ? null : weights,
            refused,
            problems);
      }
      UpstreamProtocol protocol = protocol();
      boolean sslRedirect = bool("ssl-redirect", true);
      boolean useRegex = bool("use-regex", false);
      Timeouts d = Timeouts.DEFAULTS;
      Duration connect = duration("connect-timeout", "proxy-connect-timeout", d.connect(), false);
      Duration response = duration("response-timeout", "proxy-read-timeout", d.response(), false);
      Duration bodyIdle =
          duration(
              "body-idle-timeout",
              null,
              has(NGINX + "proxy-read-timeout") && !has(PREFIX + "body-idle-timeout")
                  ? response
                  : d.bodyIdle(),
              false);
      Duration request = duration("request-timeout", null, d.request(), true);
      long body = bytes();
      return new IngressAnnotations(
          protocol,
          sslRedirect,
          new Timeouts(connect, response, bodyIdle, request),
          new Limits(body),
          useRegex,
          null,
          refused,
          problems);
    }

    /** The canary's weights and rule, or null (and refused) when they are not valid. */
    private Canary canary() {
      CanaryRule rule = canaryRule();
      int total = canaryNumber("canary-weight-total", DEFAULT_CANARY_TOTAL, 1);
      int weight = canaryNumber("canary-weight", 0, 0);
      if (total < 0 || weight < 0) {
        return null;
      }
      if (weight > total) {
        canaryInvalid(
            "canary-weight", Integer.toString(weight), "0 to canary-weight-total, " + total);
        return null;
      }
      return refused ? null : new Canary(weight, total, rule);
    }

    /**
     * The header and cookie rule of a canary, null when it has none (or a refused one): the
     * annotations' values as written (ingress-nginx does not trim them), empty ones unset.
     */
    private CanaryRule canaryRule() {
      String header = nonEmpty("canary-by-header");
      String value = nonEmpty("canary-by-header-value");
      String pattern = nonEmpty("canary-by-header-pattern");
      String cookie = nonEmpty("canary-by-cookie");
      if (header == null && (value != null || pattern != null)) {
        problem(
            "UnsupportedAnnotation",
            NGINX
                + (value != null ? "canary-by-header-value" : "canary-by-header-pattern")
                + ": \""
                + (value != null ? value : pattern)
                + "\" is ignored without canary-by-header (as ingress-nginx)");
        value = null;
        pattern = null;
      }
      if (value != null && pattern != null) {
        problem(
            "UnsupportedAnnotation",
            NGINX
                + "canary-by-header-pattern: \""
                + pattern
                + "\" is ignored beside canary-by-header-value (as ingress-nginx)");
        pattern = null;
      }
      if (header == null && cookie == null) {
        return null;
      }
      CanaryRule rule = new CanaryRule(header, value, pattern, cookie);
      // The route validator's own checks, with the annotation's name in the message.
      List<Violation> wrong = RouteValidator.canaryViolations(rule);
      for (Violation v : wrong) {
        String field = v.field();
        String key =
            field.endsWith(".cookie")
                ? "canary-by-cookie"
                : field.endsWith(".headerValue")
                    ? "canary-by-header-value"
                    : field.endsWith(".headerPattern")
                        ? "canary-by-header-pattern"
                        : "canary-by-header";
        // the validator's quoting: a value with control characters is shown escaped
        refused = true;
        problem(
            "InvalidAnnotation",
            NGINX
                + key
                + ": "
                + v.message().substring(field.length() + 2)
                + "; this canary is not served (the Ingress it is a canary of keeps all the"
                + " traffic)");
      }
      return wrong.isEmpty() ? rule : null;
    }

    /** A canary annotation's value as written, null when absent or empty. */
    private String nonEmpty(String name) {
      String v = all.get(NGINX + name);
      return v == null || v.isEmpty() ? null : v;
    }

    /** A whole number from {@code min} to MAX_WEIGHT, {@code dflt} when absent, -1 if invalid. */
    private int canaryNumber(String name, int dflt, int min) {
      String raw = all.get(NGINX + name);
      if (raw == null) {
        return dflt;
      }
      String v = raw.trim();
      // digits only: no sign, no spaces, no exponent; at most 9 digits so it fits an int
      if (!v.isEmpty() && v.length() <= 9 && v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        int n = Integer.parseInt(v);
        if (n >= min && n <= RouteValidator.MAX_WEIGHT) {
          return n;
        }
      }
      canaryInvalid(name, raw, "a whole number from " + min + " to " + RouteValidator.MAX_WEIGHT);
      return -1;
    }

    private void canaryInvalid(String name, String value, String expected) {
      refused = true;
      problem(
          "InvalidAnnotation",
          NGINX
              + name
              + ": \""
              + value
              + "\" (expected: "
              + expected
              + "); this canary is not served (the Ingress it is a canary of keeps all the"
              + " traffic)");
    }

    private void check(String key, String value) {
      String local;
      boolean nginx;
      if (key.startsWith(PREFIX)) {
        local = key.substring(PREFIX.length());
        nginx = false;
      } else if (key.startsWith(NGINX)) {
        local = key.substring(NGINX.length());
        nginx = true;
      } else {
        return;
      }
      if (nginx && (local.equals("canary") || local.startsWith("canary-"))) {
        if (local.equals("canary") || canary && CANARY_KNOWN.contains(local)) {
          return;
        }
        problem(
            "UnsupportedAnnotation",
            key
                + ": \""
                + value
                + "\" is ignored"
                + (canary
                    ? " (known: canary-weight, canary-weight-total, canary-by-header,"
                        + " canary-by-header-value, canary-by-header-pattern, canary-by-cookie)"
                    : " (canary is not \"true\": this Ingress is not a canary)"));
        return;
      }
      if (local.endsWith("-snippet") || local.equals("snippet")) {
        refuse(
            "SnippetRefused",
            key,
            "snippets are never interpreted; the Ingress is not served while it carries one");
        return;
      }
      if (local.equals("rewrite-target")) {
        refuse(
            "UnsupportedAnnotation",
            key,
            "path rewriting is not supported; the Ingress is not served while it asks for it");
        return;
      }
      if (nginx && (local.startsWith("auth-") || local.endsWith("-source-range"))) {
        refuse(
            "UnsupportedAnnotation",
            key,
            "access control by annotation is not supported; the Ingress is not served rather"
                + " than served open");
        return;
      }
      boolean known = KNOWN.contains(local) || (nginx && NGINX_KNOWN.contains(local));
      if (canary && known && !local.equals("load-balance")) {
        // ingress-nginx too: a canary takes every setting but its balancer from its primary
        problem(
            "UnsupportedAnnotation",
            key
                + ": \""
                + value
                + "\" is ignored on a canary Ingress (the Ingress it is a canary of sets it)");
        return;
      }
      if (!known) {
        problem(
            nginx ? "UnsupportedAnnotation" : "UnknownAnnotation",
            key
                + ": \""
                + value
                + "\" is ignored"
                + (nginx ? "" : " (known: gatehouse.io/" + String.join(", ", KNOWN) + ")"));
      }
    }

    private static final List<String> KNOWN =
        List.of(
            "ssl-redirect",
            "backend-protocol",
            "connect-timeout",
            "response-timeout",
            "body-idle-timeout",
            "request-timeout",
            "max-body-size",
            "use-regex",
            "load-balance");

    /** The canary keys read on a canary. */
    private static final List<String> CANARY_KNOWN =
        List.of(
            "canary-weight",
            "canary-weight-total",
            "canary-by-header",
            "canary-by-header-value",
            "canary-by-header-pattern",
            "canary-by-cookie");

    private static final List<String> NGINX_KNOWN =
        List.of(
            "ssl-redirect",
            "backend-protocol",
            "proxy-connect-timeout",
            "proxy-read-timeout",
            "proxy-body-size",
            "use-regex",
            "load-balance");

    private boolean has(String key) {
      return all.containsKey(key);
    }

    /** The gatehouse.io value, else the nginx one (under {@code nginxName}), else null. */
    private String[] lookup(String name, String nginxName) {
      String own = all.get(PREFIX + name);
      if (own != null) {
        return new String[] {PREFIX + name, own.trim()};
      }
      if (nginxName != null && all.get(NGINX + nginxName) != null) {
        return new String[] {NGINX + nginxName, all.get(NGINX + nginxName).trim()};
      }
      return null;
    }

    private UpstreamProtocol protocol() {
      String[] kv = lookup("backend-protocol", "backend-protocol");
      if (kv == null) {
        return UpstreamProtocol.HTTP1;
      }
      switch (kv[1].toUpperCase(Locale.ROOT)) {
        case "HTTP":
          return UpstreamProtocol.HTTP1;
        case "H2C":
        case "GRPC":
          return UpstreamProtocol.H2C;
        case "HTTPS":
        case "GRPCS":
        case "AUTO_HTTP":
        case "FCGI":
          refuse(
              "UnsupportedAnnotation",
              kv[0],
              "\""
                  + kv[1]
                  + "\" is not supported (expected: HTTP, H2C or GRPC); the Ingress is not served");
          return UpstreamProtocol.HTTP1;
        default:
          bad(kv, "HTTP, H2C or GRPC");
          return UpstreamProtocol.HTTP1;
      }
    }

    private boolean bool(String name, boolean dflt) {
      String[] kv = lookup(name, name);
      if (kv == null) {
        return dflt;
      }
      if (kv[1].equalsIgnoreCase("true")) {
        return true;
      }
      if (kv[1].equalsIgnoreCase("false")) {
        return false;
      }
      bad(kv, "true or false");
      return dflt;
    }

    private Duration duration(String name, String nginxName, Duration dflt, boolean zeroOk) {
      String[] kv = lookup(name, nginxName);
      if (kv == null) {
        return dflt;
      }
      Duration d = kv[0].startsWith(NGINX) ? seconds(kv[1]) : goDuration(kv[1]);
      if (d == null || (d.isZero() && !zeroOk) || d.compareTo(Duration.ofDays(1)) > 0) {
        bad(
            kv,
            (kv[0].startsWith(NGINX)
                    ? "whole seconds, e.g. 60"
                    : "a duration such as 500ms, 15s, 2m")
                + (zeroOk ? ", 0 for none," : ", more than 0,")
                + " up to 1 day");
        return dflt;
      }
      return d;
    }

    private static Duration seconds(String v) {
      String s = v.endsWith("s") ? v.substring(0, v.length() - 1) : v;
      try {
        long n = Long.parseLong(s);
        return n < 0 ? null : Duration.ofSeconds(n);
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /** A Go-style duration of ms, s, m and h parts ("1m30s"), or "0". */
    static Duration goDuration(String v) {
      if (v.equals("0")) {
        return Duration.ZERO;
      }
      Matcher m = GO_DURATION.matcher(v);
      Duration total = Duration.ZERO;
      int at = 0;
      while (m.find() && m.start() == at) {
        long n;
        try {
          n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          return null;
        }
        if (n > 1_000_000_000L) {
          return null;
        }
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  default -> Duration.ofHours(n);
                });
        at = m.end();
      }
      return at == v.length() && at > 0 ? total : null;
    }

    private long bytes() {
      String[] kv = lookup("max-body-size", "proxy-body-size");
      if (kv == null) {
        return Limits.DEFAULT_MAX_REQUEST_BODY;
      }
      Matcher m = BYTES.matcher(kv[1]);
      if (m.matches() && m.group(1).length() <= 12) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> n * 1024;
          case "m" -> n * 1024 * 1024;
          case "g" -> n * 1024 * 1024 * 1024;
          default -> n;
        };
      }
      bad(kv, "a size in bytes with an optional k, m or g suffix, 0 for no limit");
      return Limits.DEFAULT_MAX_REQUEST_BODY;
    }

    private void bad(String[] kv, String expected) {
      problem(
          "InvalidAnnotation",
          kv[0] + ": \"" + kv[1] + "\" (expected: " + expected + "); the default is used");
    }

    private void refuse(String reason, String key, String why) {
      refused = true;
      problem(reason, key + ": " + why);
    }

    private void problem(String reason, String message) {
      problems.add(new IngressProblem(ingress, reason, message));
    }
  }
}
