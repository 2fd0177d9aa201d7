package io.gatehouse.model;

import org.jspecify.annotations.Nullable;

/**
 * When a request goes to a route's canary backend whatever the split says, with ingress-nginx's
 * meaning and precedence ({@code canary-by-header}, {@code -header-value}, {@code -header-pattern},
 * {@code canary-by-cookie}): first the header, then the cookie, then the split's weights.
 *
 * <ul>
 *   <li>{@code header} alone: a value {@code always} sends the request to the canary, {@code never}
 *       to the other backends; any other value falls through to the cookie.
 *   <li>{@code header} and {@code headerValue}: that exact value sends it to the canary; any other
 *       falls through ({@code always} and {@code never} mean nothing then).
 *   <li>{@code header} and {@code headerPattern}: an RE2 expression found anywhere in the value (as
 *       PCRE's unanchored match in ingress-nginx) sends it to the canary; otherwise it falls
 *       through.
 *   <li>{@code cookie}: a cookie of that name (case-insensitive, as nginx's {@code $cookie_})
 *       valued {@code always} sends it to the canary, {@code never} to the others; any other value
 *       falls through to the weights.
 * </ul>
 *
 * A request that falls through is split by the weights as if there were no rule. At least one of
 * {@code header} and {@code cookie}; {@code headerValue} and {@code headerPattern} only with {@code
 * header}, and not both.
 */
public record CanaryRule(
    @Nullable String header,
    @Nullable String headerValue,
    @Nullable String headerPattern,
    @Nullable String cookie) {

  /** A rule by header presence values {@code always} and {@code never}. */
  public static CanaryRule byHeader(String header) {
    return new CanaryRule(header, null, null, null);
  }

  /** A rule by cookie values {@code always} and {@code never}. */
  public static CanaryRule byCookie(String cookie) {
    return new CanaryRule(null, null, null, cookie);
  }
}
