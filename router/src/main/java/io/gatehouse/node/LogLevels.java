package io.gatehouse.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's log levels from {@code log.*}: at start and on every reload. */
final class LogLevels {
  /** The logger of the lines about requests Vert.x refused before an exchange began. */
  static final String ACCESS_LOGGER = "gatehouse.access";

  private LogLevels() {}

  static void apply(NodeConfig.Log cfg) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(cfg.level(), Level.INFO));
      ctx.getLogger(ACCESS_LOGGER).setLevel(cfg.access() ? Level.INFO : Level.OFF);
    }
  }
}
