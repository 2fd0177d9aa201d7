package io.gatehouse.policy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.validate.Cidrs;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RateLimit}: one token per request from the bucket of the request's key value, or 429
 * with {@code Retry-After} (whole seconds, at least 1). Both answers carry the IETF headers of
 * draft-ietf-httpapi-ratelimit-headers-11: {@code RateLimit-Policy: "<name>";q=<requests>;w=<window
 * seconds>} and {@code RateLimit: "<name>";r=<tokens left>;t=<seconds until the bucket is full
 * again>} (refused: {@code r=0} and {@code t} the Retry-After). The buckets live in the node's
 * {@link RateLimits}, so a recompile keeps them. Per request: a map lookup and a short lock on the
 * key's bucket, one header string built (measured in {@code bench/jmh}, see {@code
 * docs/benchmarks.md}).
 */
public final class RateLimitFilter implements AdmissionFilter {
  /**
   * The key value of a request without one (no header, no claim, no address): one shared bucket.
   */
  static final String NO_VALUE = "";

  private final LimitKey key;
  private final Cidrs exempt;
  private final RateLimitBuckets buckets;
  private final String quoted;
  private final String policyHeader;
  private final long burst;
  private final double secondsPerToken;

  public RateLimitFilter(RateLimit spec, RouteKey route, RateLimits limits) {
    if (spec.requests() < 1 || spec.burst() < 1) {
      throw new IllegalArgumentException(
          "rate limit \"" + spec.policyName() + "\": requests and burst must be at least 1");
    }
    if (!spec.per().equals(RateLimit.SECOND) && !spec.per().equals(RateLimit.MINUTE)) {
      throw new IllegalArgumentException(
          "rate limit \"" + spec.policyName() + "\": per " + spec.per() + " (expected: 1s or 1m)");
    }
    this.key = spec.key();
    this.exempt = Cidrs.parse(spec.exempt());
    this.buckets = limits.buckets(id(spec, route), spec);
    this.quoted = "\"" + spec.policyName() + "\"";
    this.policyHeader = quoted + ";q=" + spec.requests() + ";w=" + spec.per().toSeconds();
    this.burst = spec.burst();
    this.secondsPerToken = (double) spec.per().toSeconds() / spec.requests();
  }

  /**
   * The limit's identity: a tenant key is shared by the tenant's routes that name it, every other
   * key belongs to its route; the settings are part of it, so changing them starts afresh.
   */
  static String id(RateLimit spec, RouteKey route) {
    String owner =
        spec.key().kind() == LimitKey.Kind.TENANT ? "tenant:" + route.tenant() : "route:" + route;
    return owner
        + "|"
        + spec.policyName()
        + "|"
        + keyName(spec.key())
        + "|"
        + spec.requests()
        + "/"
        + spec.per().toSeconds()
        + "s,burst="
        + spec.burst()
        + ","
        + spec.scope();
  }

  static String keyName(LimitKey key) {
    return key.name() == null ? key.kind().name() : key.kind() + ":" + key.name();
  }

  /** The request's value of {@code key}; {@link #NO_VALUE} when it has none. */
  static String keyValue(LimitKey key, RequestContext request) {
    String v;
    switch (key.kind()) {
      case CLIENT_ADDRESS -> v = request.clientAddress();
      case HEADER -> v = request.header(key.name() == null ? "" : key.name());
      case CLAIM -> v = claim(request.verifiedClaims(), key.name());
      default -> v = null; // ROUTE, TENANT: one bucket
    }
    return v == null ? NO_VALUE : v;
  }

  private static @Nullable String claim(@Nullable Map<String, Object> claims, @Nullable String n) {
    if (claims == null || n == null) {
      return null;
    }
    Object v = claims.get(n);
    return v == null ? null : v.toString();
  }

  @Override
  public int admit(RequestContext request) {
    if (!exempt.isEmpty() && exempt.contains(request.clientAddress())) {
      return PROCEED;
    }
    long left = buckets.take(keyValue(key, request));
    request.answerHeader("ratelimit-policy", policyHeader);
    if (left >= 0) {
      long full = (long) Math.ceil((burst - left) * secondsPerToken);
      request.answerHeader("ratelimit", quoted + ";r=" + left + ";t=" + full);
      return PROCEED;
    }
    long retry = Math.max(1, (-1 - left + 999) / 1000);
    request.answerHeader("retry-after", Long.toString(retry));
    request.answerHeader("ratelimit", quoted + ";r=0;t=" + retry);
    return 429;
  }
}
