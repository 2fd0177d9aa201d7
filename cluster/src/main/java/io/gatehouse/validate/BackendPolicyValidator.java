package io.gatehouse.validate;

import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.OutlierDetection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks a backend's policy (load balancing, health check, outlier detection, circuit breaker) and
 * returns it normalised: header names lower-cased, SameSite in its canonical case, and a policy
 * equal to {@link BackendPolicy#DEFAULT} as null, so that a backend that only spells out the
 * defaults stays entry format 1 (an older node reads it as it is). Fields are named as the route
 * document names them under the backend ({@code loadBalancing.hashOn.header}, {@code
 * healthCheck.http.path}, {@code outlierDetection.successRate.stdevFactor}...).
 */
public final class BackendPolicyValidator {
  /** The longest probe interval, probe timeout, jitter and slow-start window. */
  public static final Duration MAX_CHECK_DURATION = Duration.ofHours(1);

  /** The longest outlier interval and ejection: an ejection of a day is an outage, not a pause. */
  public static final Duration MAX_EJECTION_DURATION = Duration.ofDays(1);

  public static final int MAX_THRESHOLD = 100;
  public static final int MAX_CONSECUTIVE = 1000;
  public static final int MAX_STATUS_RANGES = 16;
  public static final int MAX_LIMIT = 1_000_000;
  public static final int MAX_MINIMUM_HOSTS = 1000;
  public static final int MAX_REQUEST_VOLUME = 1_000_000;

  /** 100 in thousandths: a factor beyond 100 standard deviations never ejects anything. */
  public static final int MAX_STDEV_THOUSANDTHS = 100_000;

  public static final String HASH_ON_RULE =
      "RingHash or Maglev with hashOn; RoundRobin, LeastRequest, PowerOfTwoChoices or PeakEWMA"
          + " without it";
  public static final String HASH_NAME_RULE =
      "a header, cookie or parameter name token of 1-64" + " characters";
  public static final String PERCENT_RULE = "a percentage 0-100";
  public static final String SLOW_START_RULE =
      "more than 0, up to 1 hour (leave it out for no slow start)";
  public static final String SLOW_START_ALGORITHM_RULE =
      "slowStart with RoundRobin or LeastRequest only (as Envoy)";
  public static final String CHECK_DURATION_RULE = "more than 0, up to 1 hour";
  public static final String JITTER_RULE = "0 up to 1 hour";
  public static final String THRESHOLD_RULE = "1-" + MAX_THRESHOLD;
  public static final String CHECK_PATH_RULE =
      "an origin-form target: '/' then printable ASCII without '#', at most 1024 characters";
  public static final String CHECK_HOST_RULE = "a host name, no '*'";
  public static final String STATUS_RANGE_RULE =
      "statuses 100-599 as N or FROM-TO with FROM <= TO, 1-" + MAX_STATUS_RANGES + " of them";
  public static final String HTTP_ONLY_RULE = "only with an HTTP health check";
  public static final String GRPC_ONLY_RULE = "only with a gRPC health check";
  public static final String CONSECUTIVE_RULE = "0 (off) to " + MAX_CONSECUTIVE;
  public static final String MINIMUM_HOSTS_RULE = "1-" + MAX_MINIMUM_HOSTS;
  public static final String REQUEST_VOLUME_RULE = "1-" + MAX_REQUEST_VOLUME;
  public static final String STDEV_RULE = "a factor from 0.001 to 100, at most 3 decimals";
  public static final String EJECTION_DURATION_RULE = "more than 0, up to 1 day";
  public static final String EJECTION_ORDER_RULE = "at least baseEjectionTime";
  public static final String LIMIT_RULE = "1-" + MAX_LIMIT;

  private static final Pattern TOKEN = RouteValidator.TOKEN;

  private BackendPolicyValidator() {}

  /**
   * {@code policy} checked, with violations under {@code f} (the backend's field, e.g. {@code
   * backend} or {@code backends[1]}); null for null and for the default policy.
   */
  public static @Nullable BackendPolicy validate(
      String f, @Nullable BackendPolicy policy, List<Violation> out) {
    if (policy == null) {
      return null;
    }
    LoadBalancing lb = loadBalancing(f + ".loadBalancing", policy.loadBalancing(), out);
    HealthCheck hc =
        policy.healthCheck() == null
            ? null
            : healthCheck(f + ".healthCheck", policy.healthCheck(), out);
    if (policy.outlierDetection() != null) {
      outlierDetection(f + ".outlierDetection", policy.outlierDetection(), out);
    }
    circuitBreaker(f + ".circuitBreaker", policy.circuitBreaker(), out);
    BackendPolicy normalized =
        new BackendPolicy(lb, hc, policy.outlierDetection(), policy.circuitBreaker());
    return normalized.equals(BackendPolicy.DEFAULT) ? null : normalized;
  }

  private static LoadBalancing loadBalancing(String f, LoadBalancing lb, List<Violation> out) {
    HashOn on = lb.hashOn();
    if (lb.algorithm().hashes() != (on != null)) {
      out.add(new Violation(f + ".algorithm", lb.algorithm().name(), HASH_ON_RULE));
    }
    if (on != null) {
      on = hashOn(f + ".hashOn", on, out);
    }
    CookieAffinity affinity =
        lb.affinity() == null ? null : affinity(f + ".affinity.cookie", lb.affinity(), out);
    Duration slow = lb.slowStart();
    if (slow != null) {
      if (!positiveUpTo(slow, MAX_CHECK_DURATION)) {
        out.add(new Violation(f + ".slowStart", slow.toString(), SLOW_START_RULE));
      } else if (lb.algorithm() != LoadBalancing.Algorithm.ROUND_ROBIN
          && lb.algorithm() != LoadBalancing.Algorithm.LEAST_REQUEST) {
        out.add(new Violation(f + ".slowStart", slow.toString(), SLOW_START_ALGORITHM_RULE));
      }
    }
    percent(f + ".panicThreshold", lb.panicThresholdPercent(), out);
    return new LoadBalancing(lb.algorithm(), on, affinity, slow, lb.panicThresholdPercent());
  }

  private static HashOn hashOn(String f, HashOn on, List<Violation> out) {
    String key =
        switch (on.source()) {
          case HEADER -> "header";
          case COOKIE -> "cookie";
          case QUERY_PARAMETER -> "queryParameter";
          case SOURCE_ADDRESS -> "sourceAddress";
        };
    String name = on.name();
    if (on.source() == HashOn.Source.SOURCE_ADDRESS) {
      if (name != null) {
        out.add(new Violation(f + "." + key, name, "no name with sourceAddress"));
      }
      return HashOn.SOURCE_ADDRESS;
    }
    if (name == null || !TOKEN.matcher(name).matches()) {
      out.add(new Violation(f + "." + key, String.valueOf(name), HASH_NAME_RULE));
      return on;
    }
    // The proxy compares header names in lower case; cookie and parameter names are exact.
    return on.source() == HashOn.Source.HEADER ? HashOn.header(name.toLowerCase(Locale.ROOT)) : on;
  }

  /** As {@code SessionPersistence}'s cookie: the same rules and texts. */
  private static CookieAffinity affinity(String f, CookieAffinity a, List<Violation> out) {
    if (!TOKEN.matcher(a.name()).matches()) {
      out.add(new Violation(f + ".name", a.name(), PolicyValidator.SESSION_NAME_RULE));
    }
    Duration maxAge = a.maxAge();
    if (maxAge != null
        && (maxAge.isNegative()
            || maxAge.isZero()
            || maxAge.getNano() != 0
            || maxAge.compareTo(PolicyValidator.MAX_SESSION_TIMEOUT) > 0)) {
      out.add(
          new Violation(f + ".maxAge", maxAge.toString(), PolicyValidator.SESSION_TIMEOUT_RULE));
    }
    String path = a.path();
    if (path != null
        && (!path.startsWith("/")
            || path.length() > PolicyValidator.MAX_VALUE_LENGTH
            || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ';'))) {
      out.add(new Violation(f + ".path", path, PolicyValidator.SESSION_PATH_RULE));
    }
    String sameSite = null;
    if (a.sameSite() != null) {
      for (String v : List.of("Strict", "Lax", "None")) {
        if (v.equalsIgnoreCase(a.sameSite())) {
          sameSite = v;
        }
      }
      if (sameSite == null) {
        out.add(new Violation(f + ".sameSite", a.sameSite(), PolicyValidator.SAME_SITE_RULE));
      } else if (sameSite.equals("None") && !Boolean.TRUE.equals(a.secure())) {
        out.add(
            new Violation(
                f + ".secure", String.valueOf(a.secure()), PolicyValidator.SAME_SITE_NONE_RULE));
      }
    }
    return new CookieAffinity(
        a.name(), maxAge, path, a.secure(), sameSite, a.httpOnly(), a.changeOnFailure());
  }

  private static HealthCheck healthCheck(String f, HealthCheck hc, List<Violation> out) {
    String host = hc.host();
    if (hc.protocol() == HealthCheck.Protocol.HTTP) {
      String path = hc.path();
      if (path == null
          || path.length() > PolicyValidator.MAX_VALUE_LENGTH
          || !path.startsWith("/")
          || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '#')) {
        out.add(new Violation(f + ".http.path", String.valueOf(path), CHECK_PATH_RULE));
      }
      if (host != null) {
        Validated<String> h = Hostnames.normalizeConfigured(f + ".http.host", host);
        if (h.value() == null) {
          out.addAll(h.violations());
        } else if (h.value().startsWith("*.")) {
          out.add(new Violation(f + ".http.host", host, CHECK_HOST_RULE));
        } else {
          host = h.value();
        }
      }
      List<HealthCheck.StatusRange> ranges = hc.expectedStatuses();
      if (ranges.size() > MAX_STATUS_RANGES) {
        out.add(
            new Violation(
                f + ".http.expectedStatuses", ranges.size() + " ranges", STATUS_RANGE_RULE));
      } else {
        for (int i = 0; i < ranges.size(); i++) {
          HealthCheck.StatusRange r = ranges.get(i);
          if (r.from() < 100 || r.to() > 599 || r.from() > r.to()) {
            out.add(
                new Violation(
                    f + ".http.expectedStatuses[" + i + "]",
                    r.from() == r.to() ? Integer.toString(r.from()) : r.from() + "-" + r.to(),
                    STATUS_RANGE_RULE));
          }
        }
      }
    } else {
      String kind = hc.protocol() == HealthCheck.Protocol.GRPC ? "grpc" : "tcp";
      if (hc.path() != null) {
        out.add(new Violation(f + "." + kind, "path " + hc.path(), HTTP_ONLY_RULE));
      }
      if (host != null) {
        out.add(new Violation(f + "." + kind, "host " + host, HTTP_ONLY_RULE));
      }
      if (!hc.expectedStatuses().equals(HealthCheck.DEFAULT_STATUSES)) {
        out.add(new Violation(f + "." + kind, "expectedStatuses", HTTP_ONLY_RULE));
      }
    }
    if (hc.protocol() == HealthCheck.Protocol.GRPC) {
      String service = hc.grpcService();
      if (service.length() > PolicyValidator.MAX_VALUE_LENGTH
          || !service.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        out.add(
            new Violation(
                f + ".grpc.service",
                service,
                "a service name of printable ASCII, at most 1024 characters (\"\" for the server)"));
      }
    } else if (!hc.grpcService().isEmpty()) {
      out.add(new Violation(f + ".grpc.service", hc.grpcService(), GRPC_ONLY_RULE));
    }
    if (!positiveUpTo(hc.interval(), MAX_CHECK_DURATION)) {
      out.add(new Violation(f + ".interval", hc.interval().toString(), CHECK_DURATION_RULE));
    }
    if (!positiveUpTo(hc.timeout(), MAX_CHECK_DURATION)) {
      out.add(new Violation(f + ".timeout", hc.timeout().toString(), CHECK_DURATION_RULE));
    }
    if (hc.jitter().isNegative() || hc.jitter().compareTo(MAX_CHECK_DURATION) > 0) {
      out.add(new Violation(f + ".jitter", hc.jitter().toString(), JITTER_RULE));
    }
    threshold(f + ".unhealthyThreshold", hc.unhealthyThreshold(), out);
    threshold(f + ".healthyThreshold", hc.healthyThreshold(), out);
    return new HealthCheck(
        hc.protocol(),
        hc.path(),
        host,
        hc.expectedStatuses(),
        hc.grpcService(),
        hc.interval(),
        hc.timeout(),
        hc.jitter(),
        hc.unhealthyThreshold(),
        hc.healthyThreshold());
  }

  private static void outlierDetection(String f, OutlierDetection o, List<Violation> out) {
    range(f + ".consecutive5xx", o.consecutive5xx(), 0, MAX_CONSECUTIVE, CONSECUTIVE_RULE, out);
    range(
        f + ".consecutiveGatewayErrors",
        o.consecutiveGatewayErrors(),
        0,
        MAX_CONSECUTIVE,
        CONSECUTIVE_RULE,
        out);
    OutlierDetection.SuccessRate sr = o.successRate();
    if (sr != null) {
      String s = f + ".successRate";
      range(s + ".minimumHosts", sr.minimumHosts(), 1, MAX_MINIMUM_HOSTS, MINIMUM_HOSTS_RULE, out);
      range(
          s + ".requestVolume",
          sr.requestVolume(),
          1,
          MAX_REQUEST_VOLUME,
          REQUEST_VOLUME_RULE,
          out);
      range(
          s + ".stdevFactor",
          sr.stdevFactorThousandths(),
          1,
          MAX_STDEV_THOUSANDTHS,
          STDEV_RULE,
          out);
    }
    ejection(f + ".interval", o.interval(), out);
    ejection(f + ".baseEjectionTime", o.baseEjectionTime(), out);
    ejection(f + ".maxEjectionTime", o.maxEjectionTime(), out);
    if (o.maxEjectionTime().compareTo(o.baseEjectionTime()) < 0) {
      out.add(
          new Violation(
              f + ".maxEjectionTime", o.maxEjectionTime().toString(), EJECTION_ORDER_RULE));
    }
    percent(f + ".maxEjectionPercent", o.maxEjectionPercent(), out);
  }

  private static void circuitBreaker(String f, CircuitBreaker c, List<Violation> out) {
    range(f + ".maxConnections", c.maxConnections(), 1, MAX_LIMIT, LIMIT_RULE, out);
    range(f + ".maxPendingRequests", c.maxPendingRequests(), 1, MAX_LIMIT, LIMIT_RULE, out);
    range(f + ".maxRequests", c.maxRequests(), 1, MAX_LIMIT, LIMIT_RULE, out);
    range(f + ".maxRetries", c.maxRetries(), 1, MAX_LIMIT, LIMIT_RULE, out);
  }

  private static void ejection(String f, Duration d, List<Violation> out) {
    if (!positiveUpTo(d, MAX_EJECTION_DURATION)) {
      out.add(new Violation(f, d.toString(), EJECTION_DURATION_RULE));
    }
  }

  private static void threshold(String f, int v, List<Violation> out) {
    range(f, v, 1, MAX_THRESHOLD, THRESHOLD_RULE, out);
  }

  private static void percent(String f, int v, List<Violation> out) {
    range(f, v, 0, 100, PERCENT_RULE, out);
  }

  static void range(String f, long v, long min, long max, String rule, List<Violation> out) {
    if (v < min || v > max) {
      out.add(new Violation(f, Long.toString(v), rule));
    }
  }

  static boolean positiveUpTo(Duration d, Duration max) {
    return !d.isNegative() && !d.isZero() && d.compareTo(max) <= 0;
  }
}
