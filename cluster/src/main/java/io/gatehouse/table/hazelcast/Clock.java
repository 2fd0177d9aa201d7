package io.gatehouse.table.hazelcast;

import org.jspecify.annotations.Nullable;

/**
 * The table's two counters, kept in one map value so one write moves both: {@code sequence} (the
 * generation, contiguous) and {@code revision} (the highest revision ever given, which a cold-start
 * merge can raise past the sequence).
 */
record Clock(long sequence, long revision) {
  static final String PREFIX = "clock:";
  static final Clock ZERO = new Clock(0, 0);

  static Clock parse(@Nullable String s) {
    if (s == null) {
      return ZERO;
    }
    int comma = s.indexOf(',');
    return new Clock(
        Long.parseLong(s.substring(PREFIX.length(), comma)),
        Long.parseLong(s.substring(comma + 1)));
  }

  String encode() {
    return PREFIX + sequence + "," + revision;
  }

  Clock max(Clock o) {
    return new Clock(Math.max(sequence, o.sequence), Math.max(revision, o.revision));
  }
}
