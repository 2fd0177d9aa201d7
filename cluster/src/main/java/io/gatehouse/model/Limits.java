package io.gatehouse.model;

/**
 * Per-route size limits.
 *
 * @param maxRequestBodyBytes the largest request body the route accepts (0 = unlimited)
 * @param maxResponseHeaderBytes the largest response head (status line and header fields) the
 *     route's backend may answer with; 0 = the node's {@code limits.maxHeaderBytes}. A larger head
 *     is a 502. At most {@link #MAX_RESPONSE_HEADER_BYTES}.
 */
public record Limits(long maxRequestBodyBytes, int maxResponseHeaderBytes) {
  public static final long DEFAULT_MAX_REQUEST_BODY = 10L * 1024 * 1024;

  /** The ceiling of a route's response head limit: 1 MiB. */
  public static final int MAX_RESPONSE_HEADER_BYTES = 1024 * 1024;

  public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_REQUEST_BODY);

  /** A body limit with the node's response head limit. */
  public Limits(long maxRequestBodyBytes) {
    this(maxRequestBodyBytes, 0);
  }

  /** These limits with the response head limit {@code bytes} (0 = the node's). */
  public Limits withMaxResponseHeaderBytes(int bytes) {
    return new Limits(maxRequestBodyBytes, bytes);
  }
}
