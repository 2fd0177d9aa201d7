package io.gatehouse.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Formats access-log lines. Every value a client sent (path, host, headers, a forwarded client
 * address, a request id) is escaped, so no value can end a line, start another or break out of its
 * quotes: a client cannot forge a line.
 */
final class AccessLines {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private AccessLines() {}

  /** Appends one line of {@code e} (without the newline). */
  static void append(StringBuilder out, AccessEntry e, List<AccessField> fields, AccessFormat f) {
    boolean json = f == AccessFormat.JSON;
    if (json) {
      out.append('{');
    }
    boolean first = true;
    for (AccessField field : fields) {
      if (!first) {
        out.append(json ? ',' : ' ');
      }
      first = false;
      if (json) {
        out.append('"').append(field.key()).append("\":");
      }
      value(out, e, field, json);
    }
    if (json) {
      out.append('}');
    }
  }

  private static void value(StringBuilder out, AccessEntry e, AccessField field, boolean json) {
    switch (field) {
      case TIME -> text(out, TIME.format(Instant.ofEpochMilli(e.endMillis)), json);
      case METHOD -> text(out, e.method, json);
      case HOST -> text(out, e.host, json);
      case PATH -> text(out, e.path, json);
      case PROTOCOL -> text(out, e.protocol, json);
      case STATUS -> out.append(e.status);
      case BYTES_IN -> out.append(e.bytesIn);
      case BYTES_OUT -> out.append(e.bytesOut);
      case DURATION_MS -> millis(out, e.durationNanos);
      case UPSTREAM -> text(out, e.upstream, json);
      case UPSTREAM_STATUS -> {
        if (e.upstreamStatus == 0) {
          absent(out, json);
        } else {
          out.append(e.upstreamStatus);
        }
      }
      case ROUTE -> text(out, e.route, json);
      case TENANT -> text(out, e.tenant, json);
      case REQUEST_ID -> text(out, e.requestId, json);
      case TRACE_ID -> text(out, e.traceId, json);
      case CLIENT -> text(out, e.client, json);
      case USER_AGENT -> text(out, e.userAgent, json);
      case REFERER -> text(out, e.referer, json);
      case OVERFLOW -> text(out, e.overflow, json);
      case ATTEMPTS -> out.append(e.attempts);
    }
  }

  /** Milliseconds with three decimals (microseconds), without a double's rounding noise. */
  static void millis(StringBuilder out, long nanos) {
    long micros = Math.max(0, nanos) / 1000;
    out.append(micros / 1000).append('.');
    long frac = micros % 1000;
    if (frac < 100) {
      out.append('0');
    }
    if (frac < 10) {
      out.append('0');
    }
    out.append(frac);
  }

  private static void absent(StringBuilder out, boolean json) {
    out.append(json ? "null" : "-");
  }

  /** A quoted, escaped string; {@code null} (JSON) or {@code -} (text) when absent. */
  static void text(StringBuilder out, @Nullable String s, boolean json) {
    if (s == null) {
      absent(out, json);
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20
              || (c >= 0x7f && c <= 0x9f)
              || c == '\u2028'
              || c == '\u2029'
              || Character.isSurrogate(c) && !pairAt(s, i)) {
            // Controls (C0, DEL, C1), line separators and broken UTF-16: always as \\u escapes,
            // which both JSON readers and people read; nothing invisible reaches the file.
            unicode(out, c);
          } else {
            out.append(c);
            if (Character.isHighSurrogate(c)) {
              out.append(s.charAt(++i));
            }
          }
        }
      }
    }
    out.append('"');
  }

  private static boolean pairAt(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i))
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1));
  }

  private static void unicode(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  /** For tests: the time format. */
  static String time(long epochMillis) {
    return TIME.format(Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.MILLIS));
  }
}
