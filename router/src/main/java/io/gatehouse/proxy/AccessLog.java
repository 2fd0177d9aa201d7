package io.gatehouse.proxy;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line for a request Vert.x refused before Gatehouse saw a usable head (no exchange, so no
 * observer hears of it), on the {@code gatehouse.access} logger. The access log proper is the
 * {@code accesslog} stage, an exchange observer.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("gatehouse.access");

  private AccessLog() {}

  /** The logger's level follows {@code log.access}. */
  static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  /** A request refused before Gatehouse saw a usable head; nothing about it is trusted. */
  static void refused(int status, String reason, @Nullable String client) {
    LOG.atInfo()
        .setMessage("request refused")
        .addKeyValue("status", status)
        .addKeyValue("reason", reason)
        .addKeyValue("client", client)
        .log();
  }
}
