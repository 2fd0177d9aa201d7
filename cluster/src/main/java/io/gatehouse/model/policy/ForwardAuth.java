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
 * @param signin where a 401 is redirected (ingress-nginx {@code auth-signin}), completed as {@code
 *     signinRedirect} says, or null to answer 401
 * @param timeout the limit on the subrequest, connect to answer
 * @param cacheKey request headers whose values key the cache of answers (ingress-nginx {@code
 *     auth-cache-key}); empty: no cache
 * @param cacheDuration how long a 2xx (and a 401/403) answer is reused for the same key
 * @param signinRedirect what is added to {@code signin}; {@link SigninRedirect#URL} by default
 * @param signinRedirectParam the query parameter {@link SigninRedirect#URL} adds (ingress-nginx
 *     {@code auth-signin-redirect-param}); {@code rd} by default
 */
public record ForwardAuth(
    String url,
    String method,
    List<String> requestHeaders,
    List<String> responseHeaders,
    @Nullable String signin,
    Duration timeout,
    List<String> cacheKey,
    Duration cacheDuration,
    SigninRedirect signinRedirect,
    String signinRedirectParam)
    implements PolicySpec {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final List<String> DEFAULT_REQUEST_HEADERS = List.of("authorization", "cookie");
  public static final String DEFAULT_SIGNIN_REDIRECT_PARAM = "rd";

  /**
   * What a 401's redirect adds to {@code signin}: the forms ingress-nginx's {@code auth-signin}
   * takes ({@code ?rd=$pass_access_scheme://$http_host$escaped_request_uri} when the URL has no
   * {@code rd}, else the URL as written, its {@code $escaped_request_uri} or {@code $request_uri}
   * evaluated).
   */
  public enum SigninRedirect {
    /**
     * {@code signinRedirectParam} set to the original URL (scheme, authority, path and query),
     * percent-encoded, after {@code ?} or {@code &}.
     */
    URL,
    /**
     * The request's path and query as the client sent them, percent-encoded (every byte but the RFC
     * 3986 unreserved characters), at the end of {@code signin} (which ends in, say, {@code ?rd=}).
     */
    ESCAPED_URI,
    /** The request's path and query as the client sent them, at the end of {@code signin}. */
    URI,
    /** Nothing: {@code signin} as written. */
    NONE
  }

  /** A policy whose signin, if any, gets {@code rd} set to the original URL. */
  public ForwardAuth(
      String url,
      String method,
      List<String> requestHeaders,
      List<String> responseHeaders,
      @Nullable String signin,
      Duration timeout,
      List<String> cacheKey,
      Duration cacheDuration) {
    this(
        url,
        method,
        requestHeaders,
        responseHeaders,
        signin,
        timeout,
        cacheKey,
        cacheDuration,
        SigninRedirect.URL,
        DEFAULT_SIGNIN_REDIRECT_PARAM);
  }

  public ForwardAuth {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(method, "method");
    requestHeaders = requestHeaders == null ? List.of() : List.copyOf(requestHeaders);
    responseHeaders = responseHeaders == null ? List.of() : List.copyOf(responseHeaders);
    Objects.requireNonNull(timeout, "timeout");
    cacheKey = cacheKey == null ? List.of() : List.copyOf(cacheKey);
    Objects.requireNonNull(cacheDuration, "cacheDuration");
    signinRedirect = signinRedirect == null ? SigninRedirect.URL : signinRedirect;
    signinRedirectParam =
        signinRedirectParam == null ? DEFAULT_SIGNIN_REDIRECT_PARAM : signinRedirectParam;
  }

  /** This policy with what completes its signin replaced (the other fields kept). */
  public ForwardAuth withSigninRedirect(SigninRedirect redirect, String param) {
    return new ForwardAuth(
        url,
        method,
        requestHeaders,
        responseHeaders,
        signin,
        timeout,
        cacheKey,
        cacheDuration,
        redirect,
        param);
  }

  /** This policy with its URL and signin replaced (the other fields kept). */
  public ForwardAuth withUrls(String url, @Nullable String signin) {
    return new ForwardAuth(
        url,
        method,
        requestHeaders,
        responseHeaders,
        signin,
        timeout,
        cacheKey,
        cacheDuration,
        signinRedirect,
        signinRedirectParam);
  }
}
