package io.gatehouse.accesslog;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One finished exchange's values, copied on the event loop (the view is the live exchange) and
 * formatted later on the writer's thread. Strings are shared, not copied: they are immutable.
 */
final class AccessEntry {
  /** The fields and format current when the exchange ended (a reload may change them later). */
  final Layout layout;

  long endMillis;
  long durationNanos;
  String method = "";
  @Nullable String host;
  String path = "";
  String protocol = "";
  int status;
  long bytesIn;
  long bytesOut;
  @Nullable String upstream;
  int upstreamStatus;
  @Nullable String route;
  @Nullable String tenant;
  String requestId = "";
  @Nullable String traceId;
  @Nullable String client;
  @Nullable String userAgent;
  @Nullable String referer;
  @Nullable String overflow;
  int attempts;

  AccessEntry(Layout layout) {
    this.layout = layout;
  }

  /** The fields and format, and whether the two header fields are among them (read per request). */
  record Layout(List<AccessField> fields, AccessFormat format, boolean userAgent, boolean referer) {
    static Layout of(List<AccessField> fields, AccessFormat format) {
      return new Layout(
          fields,
          format,
          fields.contains(AccessField.USER_AGENT),
          fields.contains(AccessField.REFERER));
    }
  }
}
