package io.gatehouse.proxy;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One structured line per request on the {@code gatehouse.access} logger. */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("gatehouse.access");

  private AccessLog() {}

  static void write(
      String method,
      @Nullable String host,
      String path,
      int status,
      long bytesIn,
      long bytesOut,
      long durationMicros,
      @Nullable String upstream,
      @Nullable String route,
      String requestId,
      @Nullable String client,
      @Nullable String overflow) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    var line =
        LOG.atInfo()
            .setMessage("request")
            .addKeyValue("method", method)
            .addKeyValue("host", host)
            .addKeyValue("path", path)
            .addKeyValue("status", status)
            .addKeyValue("bytesIn", bytesIn)
            .addKeyValue("bytesOut", bytesOut)
            .addKeyValue("durationMs", durationMicros / 1000.0)
            .addKeyValue("upstream", upstream)
            .addKeyValue("route", route)
            .addKeyValue("requestId", requestId)
            .addKeyValue("client", client);
    if (overflow != null) {
      // The circuit-breaker limit that refused the request (its 503's x-gatehouse-overflow).
      line = line.addKeyValue("overflow", overflow);
    }
    line.log();
  }

  /** A request refused before Gatehouse saw a usable head; nothing about it is trusted. */
  static void refused(int status, String reason, @Nullable String client) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    LOG.atInfo()
        .setMessage("request refused")
        .addKeyValue("status", status)
        .addKeyValue("reason", reason)
        .addKeyValue("client", client)
        .log();
  }
}
