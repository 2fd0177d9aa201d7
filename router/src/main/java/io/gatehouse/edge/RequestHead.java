package io.gatehouse.edge;

import org.jspecify.annotations.Nullable;

/**
 * The parts of a request head that routing and forwarding use, checked and normalised once.
 *
 * @param authority the Host (or absolute-form authority) exactly as the upstream will see it, or
 *     null for an HTTP/1.0 request without one
 * @param host {@code authority} normalised for lookup, or null
 * @param path the normalised path, forwarded as is
 * @param query the raw query without '?', or null
 * @param dropUnderscoreHeaders whether headers with '_' in their name must not be forwarded
 * @param contentLength the Content-Length, or -1 when absent
 * @param chunked whether the body is chunked
 * @param connection the Connection header, or null
 * @param upgrade the Upgrade header, or null
 * @param expectContinue whether the client sent {@code Expect: 100-continue} in HTTP/1.1 or HTTP/2
 *     (an HTTP/1.0 client's is ignored)
 * @param requestId the client's X-Request-Id, or null
 * @param headers the request's headers as name, value, name, value..., read once by the guard so
 *     forwarding does not decode them again
 */
public record RequestHead(
    @Nullable String authority,
    @Nullable String host,
    String path,
    @Nullable String query,
    boolean dropUnderscoreHeaders,
    long contentLength,
    boolean chunked,
    @Nullable String connection,
    @Nullable String upgrade,
    boolean expectContinue,
    @Nullable String requestId,
    String[] headers)
    implements GuardResult {

  /** The request target to send upstream. */
  public String target() {
    return query == null ? path : path + "?" + query;
  }
}
