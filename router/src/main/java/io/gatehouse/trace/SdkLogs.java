package io.gatehouse.trace;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenTelemetry SDK logs through java.util.logging, in plain text on stderr: its loggers are
 * kept quiet, and {@link LoggingExporter} reports export failures in the node's own JSON log.
 */
final class SdkLogs {
  /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
  private static final Logger OPENTELEMETRY = Logger.getLogger("io.opentelemetry");

  private SdkLogs() {}

  static void quiet() {
    OPENTELEMETRY.setLevel(Level.OFF);
  }
}
