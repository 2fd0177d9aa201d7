package io.gatehouse.validate;

import io.gatehouse.model.policy.Cors;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rule of policy kind {@link Cors}, after Gateway API's {@code HTTPCORSFilter}: {@code *} only
 * alone in a list; origins {@code http(s)://host[:port]} whose host may start with {@code *.};
 * patterns RE2; methods tokens (case kept: methods are case-sensitive); header names tokens, lower
 * cased. Fails closed where a browser would be told something unsafe or impossible: credentials
 * with every origin ({@code *}: any site could read credentialed answers) or with every exposed
 * header ({@code *} is a literal name to a credentialed request).
 */
public final class CorsValidator {
  static final int MAX_ORIGINS = 64;
  public static final int MAX_PATTERNS = 16;
  static final int MAX_METHODS = 32;
  static final int MAX_HEADERS = 64;
  public static final int MAX_AGE = 31_536_000;

  public static final String ORIGIN_RULE =
      "an origin http(s)://host[:port] (the host may start with '*.'), or '*' alone";
  public static final String WILDCARD_RULE = "'*' alone, never beside other values";
  public static final String NO_ORIGIN_RULE = "at least one of allowOrigins or allowOriginPatterns";
  public static final String CREDENTIALS_ORIGIN_RULE =
      "allowCredentials with listed origins or patterns, never with every origin ('*')";
  public static final String CREDENTIALS_EXPOSE_RULE =
      "allowCredentials with listed exposeHeaders, never '*' (a literal name to a credentialed"
          + " request)";
  public static final String METHOD_RULE = "a method token of 1-64 characters, or '*' alone";
  public static final String MAX_AGE_RULE = "seconds from 1 to " + MAX_AGE;

  private static final Pattern ORIGIN =
      Pattern.compile(
          "(https?)://((?:\\*\\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\\[[0-9a-f:.]{2,45}])(?::([0-9]{1,5}))?");

  private CorsValidator() {}

  static Cors check(Cors c, String f, List<Violation> out) {
    List<String> origins = origins(c.allowOrigins(), f + ".allowOrigins", out);
    List<String> patterns = c.allowOriginPatterns();
    if (patterns.size() > MAX_PATTERNS) {
      out.add(
          new Violation(
              f + ".allowOriginPatterns",
              patterns.size() + " patterns",
              "at most " + MAX_PATTERNS));
    } else {
      for (int i = 0; i < patterns.size(); i++) {
        RouteValidator.regex(f + ".allowOriginPatterns[" + i + "]", patterns.get(i), out);
      }
    }
    if (c.allowOrigins().isEmpty() && patterns.isEmpty()) {
      out.add(new Violation(f + ".allowOrigins", "[]", NO_ORIGIN_RULE));
    }
    if (Cors.any(c.allowOrigins()) && !patterns.isEmpty()) {
      out.add(new Violation(f + ".allowOriginPatterns", patterns.toString(), WILDCARD_RULE));
    }
    List<String> methods = methods(c.allowMethods(), f + ".allowMethods", out);
    List<String> allow = names(c.allowHeaders(), f + ".allowHeaders", out);
    List<String> expose = names(c.exposeHeaders(), f + ".exposeHeaders", out);
    if (c.allowCredentials()) {
      if (Cors.any(c.allowOrigins())) {
        out.add(new Violation(f + ".allowCredentials", "true", CREDENTIALS_ORIGIN_RULE));
      }
      if (Cors.any(c.exposeHeaders())) {
        out.add(new Violation(f + ".allowCredentials", "true", CREDENTIALS_EXPOSE_RULE));
      }
    }
    if (c.maxAge() < 1 || c.maxAge() > MAX_AGE) {
      out.add(new Violation(f + ".maxAge", Integer.toString(c.maxAge()), MAX_AGE_RULE));
    }
    return new Cors(origins, patterns, methods, allow, expose, c.allowCredentials(), c.maxAge());
  }

  /** The origins normalised: lower case, the scheme's default port dropped. */
  private static List<String> origins(List<String> raw, String f, List<Violation> out) {
    if (raw.size() > MAX_ORIGINS) {
      out.add(new Violation(f, raw.size() + " origins", "at most " + MAX_ORIGINS));
      return List.of();
    }
    if (wildcardBeside(raw, f, out)) {
      return List.of();
    }
    Set<String> result = new LinkedHashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      String o = raw.get(i);
      if (Cors.ANY.equals(o)) {
        result.add(o);
        continue;
      }
      String normal = origin(o);
      if (normal == null) {
        out.add(new Violation(f + "[" + i + "]", o, ORIGIN_RULE));
      } else {
        result.add(normal);
      }
    }
    return new ArrayList<>(result);
  }

  /**
   * {@code raw} as an allowed origin ({@link #ORIGIN_RULE}, without {@code '*'}): lower case, the
   * scheme's default port dropped; null when it is not one. The Ingress annotations drop what this
   * refuses.
   */
  public static @Nullable String origin(String raw) {
    String lower = raw.toLowerCase(Locale.ROOT);
    Matcher m = ORIGIN.matcher(lower);
    if (!m.matches() || lower.length() > 300) {
      return null;
    }
    int port = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
    if (port == 0 || port > 65535) {
      return null;
    }
    boolean defaultPort =
        (port == 80 && m.group(1).equals("http")) || (port == 443 && m.group(1).equals("https"));
    return defaultPort ? m.group(1) + "://" + m.group(2) : lower;
  }

  private static List<String> methods(List<String> raw, String f, List<Violation> out) {
    if (raw.size() > MAX_METHODS) {
      out.add(new Violation(f, raw.size() + " methods", "at most " + MAX_METHODS));
      return List.of();
    }
    if (wildcardBeside(raw, f, out)) {
      return List.of();
    }
    Set<String> result = new LinkedHashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      String m = raw.get(i);
      if (!RouteValidator.TOKEN.matcher(m).matches()) {
        out.add(new Violation(f + "[" + i + "]", m, METHOD_RULE));
      } else {
        result.add(m);
      }
    }
    return new ArrayList<>(result);
  }

  private static List<String> names(List<String> raw, String f, List<Violation> out) {
    if (raw.size() > MAX_HEADERS) {
      out.add(new Violation(f, raw.size() + " names", "at most " + MAX_HEADERS));
      return List.of();
    }
    if (wildcardBeside(raw, f, out)) {
      return List.of();
    }
    Set<String> result = new LinkedHashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      String n = raw.get(i);
      if (Cors.ANY.equals(n)) {
        result.add(n);
      } else if (!RouteValidator.TOKEN.matcher(n).matches()) {
        out.add(new Violation(f + "[" + i + "]", n, PolicyValidator.NAME_RULE + ", or '*' alone"));
      } else {
        result.add(n.toLowerCase(Locale.ROOT));
      }
    }
    return new ArrayList<>(result);
  }

  /** Whether {@code raw} holds {@code *} beside other values (with a violation). */
  private static boolean wildcardBeside(List<String> raw, String f, List<Violation> out) {
    if (raw.size() > 1 && raw.contains(Cors.ANY)) {
      out.add(new Violation(f, String.join(",", raw), WILDCARD_RULE));
      return true;
    }
    return false;
  }
}
