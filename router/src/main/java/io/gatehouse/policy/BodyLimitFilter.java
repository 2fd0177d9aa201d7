package io.gatehouse.policy;

/**
 * Admission: a declared Content-Length over the route's limit is answered 413 before anything is
 * forwarded. A body without a declared length (chunked, HTTP/2) is counted as it streams, by the
 * proxy's body pump, against the same limit.
 */
public final class BodyLimitFilter implements AdmissionFilter {
  public static final int PAYLOAD_TOO_LARGE = 413;

  private final long maxBytes;

  BodyLimitFilter(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: above 0)");
    }
    this.maxBytes = maxBytes;
  }

  @Override
  public int admit(RequestContext r) {
    return r.contentLength() > maxBytes ? PAYLOAD_TOO_LARGE : PROCEED;
  }

  public long maxBytes() {
    return maxBytes;
  }
}
