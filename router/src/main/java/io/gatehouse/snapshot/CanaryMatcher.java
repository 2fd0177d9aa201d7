package io.gatehouse.snapshot;

import com.google.re2j.Pattern;
import io.gatehouse.model.CanaryRule;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A route's canary rule ({@link CanaryRule}) compiled: which way a request goes before the split's
 * weighted pick, with ingress-nginx's precedence (its {@code balancer.lua}, {@code
 * route_to_alternative_balancer}): the header, then the cookie, then the weights. Pure and without
 * state, so the same request always gets the same answer.
 *
 * <ul>
 *   <li>Header with a value to match: that exact value is {@link #CANARY}; any other value falls
 *       through. With a pattern: an RE2 match anywhere in the value (PCRE's unanchored {@code
 *       ngx.re.match}) is {@link #CANARY}; otherwise it falls through. Header alone: {@code always}
 *       is {@link #CANARY}, {@code never} is {@link #AWAY}, any other value falls through.
 *   <li>Cookie (nginx's {@code $cookie_NAME}: the first cookie of that name, compared without case,
 *       in every {@code Cookie} field, separated by {@code ;} or {@code ,}, the value up to the
 *       next {@code ;}): {@code always} is {@link #CANARY}, {@code never} {@link #AWAY}, else it
 *       falls through.
 *   <li>{@link #FALL_THROUGH}: the split's weights decide, exactly as for a route without a rule.
 * </ul>
 *
 * Values compare case-sensitively, as the Lua code does. Only routes with a canary rule have one of
 * these, so other routes pay nothing for it.
 */
public final class CanaryMatcher {
  /** Neither the header nor the cookie decided: the weights do. */
  public static final int FALL_THROUGH = 0;

  /** The request goes to the canary backend. */
  public static final int CANARY = 1;

  /** The request goes to the other backends, by their weights ("never"). */
  public static final int AWAY = 2;

  private final CanaryRule rule;
  private final @Nullable String header;
  private final @Nullable String value;
  private final @Nullable Pattern pattern;
  private final @Nullable String cookie;

  /** Compiles {@code rule}, which the validator accepted (its header name lower-cased). */
  public CanaryMatcher(CanaryRule rule) {
    this.rule = Objects.requireNonNull(rule, "rule");
    this.header = rule.header();
    this.value = rule.headerValue();
    String headerPattern = rule.headerPattern();
    this.pattern = headerPattern == null ? null : Pattern.compile(headerPattern);
    this.cookie = rule.cookie();
  }

  /** The rule compiled here. */
  public CanaryRule rule() {
    return rule;
  }

  /** The (lower-cased) header the rule reads, or null when it reads none. */
  public @Nullable String header() {
    return header;
  }

  /** The cookie the rule reads, or null when it reads none. */
  public @Nullable String cookie() {
    return cookie;
  }

  /**
   * The header's verdict on {@code headerValue}: the request's value of {@link #header()} (several
   * fields joined with {@code ", "}, as nginx's {@code $http_} variable), null when it has none.
   */
  public int byHeader(@Nullable String headerValue) {
    if (header == null || headerValue == null) {
      return FALL_THROUGH;
    }
    if (value != null) {
      return value.equals(headerValue) ? CANARY : FALL_THROUGH;
    }
    if (pattern != null) {
      return pattern.matcher(headerValue).find() ? CANARY : FALL_THROUGH;
    }
    return switch (headerValue) {
      case "always" -> CANARY;
      case "never" -> AWAY;
      default -> FALL_THROUGH;
    };
  }

  /** The cookie's verdict on the request's {@code Cookie} fields (in order). */
  public int byCookie(List<String> cookieFields) {
    if (cookie == null) {
      return FALL_THROUGH;
    }
    String v = cookieValue(cookieFields, cookie);
    if (v == null) {
      return FALL_THROUGH;
    }
    return switch (v) {
      case "always" -> CANARY;
      case "never" -> AWAY;
      default -> FALL_THROUGH;
    };
  }

  /** The verdict of the whole rule: the header's, else the cookie's. */
  public int choose(@Nullable String headerValue, List<String> cookieFields) {
    int byHeader = byHeader(headerValue);
    return byHeader != FALL_THROUGH ? byHeader : byCookie(cookieFields);
  }

  /**
   * The value of the first cookie named {@code name} (without case) in {@code fields}, or null: the
   * scan of nginx's {@code ngx_http_parse_multi_header_lines}. A pair starts at the field's start
   * or after {@code ;} or {@code ,} and the spaces after it; the name is followed by optional
   * spaces, {@code =} and optional spaces; the value runs to the next {@code ;} (kept as it is,
   * quotes included).
   */
  public static @Nullable String cookieValue(List<String> fields, String name) {
    int n = name.length();
    for (int f = 0; f < fields.size(); f++) {
      String s = fields.get(f);
      int end = s.length();
      int at = 0;
      while (at < end) {
        int i = at;
        if (s.regionMatches(true, i, name, 0, n)) {
          i += n;
          while (i < end && s.charAt(i) == ' ') {
            i++;
          }
          if (i < end && s.charAt(i) == '=') {
            i++;
            while (i < end && s.charAt(i) == ' ') {
              i++;
            }
            int last = s.indexOf(';', i);
            return s.substring(i, last < 0 ? end : last);
          }
        }
        // skip to after the next ';' or ',' and the spaces after it
        while (i < end) {
          char ch = s.charAt(i++);
          if (ch == ';' || ch == ',') {
            break;
          }
        }
        while (i < end && s.charAt(i) == ' ') {
          i++;
        }
        at = i;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "CanaryMatcher[" + rule + "]";
  }
}
