package io.gatehouse.accesslog;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** The fixed catalogue of access-log fields; {@link #key()} is the name in config and output. */
public enum AccessField {
  /** When the exchange ended, ISO-8601 UTC with milliseconds. */
  TIME("time"),
  METHOD("method"),
  /** Null (text {@code -}) when the request was refused before its head was accepted. */
  HOST("host"),
  /** As received, without the query (a query is never logged). */
  PATH("path"),
  PROTOCOL("protocol"),
  STATUS("status"),
  BYTES_IN("bytesIn"),
  BYTES_OUT("bytesOut"),
  /** From the head read to the end, in milliseconds with microsecond decimals. */
  DURATION_MS("durationMs"),
  /** The last attempt's endpoint {@code host:port}. */
  UPSTREAM("upstream"),
  /** The last upstream answer's status; absent when no upstream answered. */
  UPSTREAM_STATUS("upstreamStatus"),
  ROUTE("route"),
  TENANT("tenant"),
  REQUEST_ID("requestId"),
  TRACE_ID("traceId"),
  CLIENT("client"),
  USER_AGENT("userAgent"),
  REFERER("referer"),
  OVERFLOW("overflow"),
  ATTEMPTS("attempts");

  private static final Map<String, AccessField> BY_KEY =
      Stream.of(values()).collect(Collectors.toUnmodifiableMap(f -> f.key, Function.identity()));

  private final String key;

  AccessField(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  /** The field named {@code key} (case as listed), or null. */
  public static @Nullable AccessField byKey(String key) {
    return BY_KEY.get(key.trim());
  }

  /** Every key, comma-separated, for messages. */
  public static String catalogue() {
    return Stream.of(values()).map(AccessField::key).collect(Collectors.joining(", "));
  }
}
