package io.gatehouse.model;

/** Per-route size limits. */
public record Limits(long maxRequestBodyBytes) {
  public static final long DEFAULT_MAX_REQUEST_BODY = 10L * 1024 * 1024;
  public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_REQUEST_BODY);
}
