package io.gatehouse.model.policy;

import java.util.List;

/**
 * Cross-origin resource sharing, shaped after Gateway API's {@code HTTPCORSFilter}: a preflight
 * ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is answered by
 * Gatehouse itself, and a proxied response to an allowed origin gets the CORS headers.
 *
 * @param allowOrigins {@code *} alone, or origins {@code scheme://host[:port]} whose host may start
 *     with {@code *.} (any number of labels to its left, as Gateway API's wildcard)
 * @param allowOriginPatterns RE2 regular expressions an origin must match whole (Gatehouse's
 *     addition, as Envoy's {@code allow_origin_string_match} regex)
 * @param allowMethods methods a preflight may ask for, or {@code *} alone; GET, HEAD and POST are
 *     always allowed
 * @param allowHeaders request header names a preflight may ask for, or {@code *} alone
 * @param exposeHeaders response header names scripts may read, or {@code *} alone
 * @param allowCredentials whether credentialed requests are allowed
 * @param maxAge seconds a browser may cache a preflight's answer
 */
public record Cors(
    List<String> allowOrigins,
    List<String> allowOriginPatterns,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    boolean allowCredentials,
    int maxAge)
    implements PolicySpec {
  /** Gateway API's default {@code maxAge}, in seconds. */
  public static final int DEFAULT_MAX_AGE = 5;

  public static final String ANY = "*";

  public Cors {
    allowOrigins = copy(allowOrigins);
    allowOriginPatterns = copy(allowOriginPatterns);
    allowMethods = copy(allowMethods);
    allowHeaders = copy(allowHeaders);
    exposeHeaders = copy(exposeHeaders);
  }

  /** Whether {@code list} is the wildcard {@code ["*"]}. */
  public static boolean any(List<String> list) {
    return list.size() == 1 && ANY.equals(list.get(0));
  }

  private static List<String> copy(List<String> l) {
    return l == null ? List.of() : List.copyOf(l);
  }
}
