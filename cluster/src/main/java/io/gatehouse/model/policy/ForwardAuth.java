package io.gatehouse.model.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Asks an authentication service about each request before it is proxied (ingress-nginx {@code
 * auth-url}, Traefik ForwardAuth): a subrequest without a body goes to {@code url} with the headers
 * named in {@code requestHeaders} and {@code X-Original-URL}, {@code X-Original-Method}, {@code
 * X-Forwarded-For}/{@code -Proto}/{@code -Host} and {@code X-Request-Id}. A 2xx lets the request
 * through with the answer's {@code responseHeaders} set on the upstream request; a 401 is answered
 * 401 (or redirected to {@code signin} when set), a 403 is answered 403, with the service's {@code
 * WWW-Authenticate} and {@code Location}; anything else, a connect failure or no answer within
 * {@code timeout} fails closed: 503 (504 on the timeout), never forwarded.
 *
 * @param url the service's {@code http} or {@code https} URL (path and query kept)
 * @param method the subrequest's method (ingress-nginx {@code auth-method}; GET by default)
 * @param requestHeaders client request headers copied to the subrequest (lower case); empty: {@code
 *     Authorization} and {@code Cookie}
 * @param responseHeaders headers of a 2xx answer set on the upstream request (ingress-nginx {@code
 *     auth-response-headers}); the client's own values of them are always removed
 * @param signin where a 401 is redirected (ingress-nginx {@code auth-signin}, with {@code rd} set
 *     to the original URL), or null to answer 401
 * @param timeout the limit on the subrequest, connect to answer
 * @param cacheKey request headers whose values key the cache of answers (ingress-nginx {@code
 *     auth-cache-key}); empty: no cache
 * @param cacheDuration how long a 2xx (and a 401/403) answer is reused for the same key
 */
public record ForwardAuth(
    String url,
    String method,
    List<String> requestHeaders,
    List<String> responseHeaders,
    @Nullable String signin,
    Duration timeout,
    List<String> cacheKey,
    Duration cacheDuration)
    implements PolicySpec {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final List<String> DEFAULT_REQUEST_HEADERS = List.of("authorization", "cookie");

  public ForwardAuth {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(method, "method");
    requestHeaders = requestHeaders == null ? List.of() : List.copyOf(requestHeaders);
    responseHeaders = responseHeaders == null ? List.of() : List.copyOf(responseHeaders);
    Objects.requireNonNull(timeout, "timeout");
    cacheKey = cacheKey == null ? List.of() : List.copyOf(cacheKey);
    Objects.requireNonNull(cacheDuration, "cacheDuration");
  }
}
