package io.gatehouse.trace;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The headers sent with every export, from a file of {@code Name: value} lines (blank lines and
 * {@code #} comments skipped). Their values are credentials: a problem names the line, never the
 * value.
 */
public final class CollectorHeaders {
  private CollectorHeaders() {}

  /** The headers of {@code text}; an {@link IllegalArgumentException} names the bad line. */
  public static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon).strip();
      String value = colon < 0 ? "" : line.substring(colon + 1).strip();
      if (name.isEmpty() || !name.chars().allMatch(CollectorHeaders::tokenChar)) {
        throw new IllegalArgumentException(
            "line "
                + (i + 1)
                + ": expected Name: value, with a header name of letters, digits and -");
      }
      if (value.isEmpty()
          || !value.chars().allMatch(c -> c == ' ' || c == '\t' || (c > 32 && c < 127))) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + ": the value of " + name + " is empty or not visible ASCII");
      }
      if (out.putIfAbsent(name.toLowerCase(Locale.ROOT), value) != null) {
        throw new IllegalArgumentException("line " + (i + 1) + ": " + name + " given twice");
      }
    }
    return out;
  }

  /** RFC 9110 token characters. */
  private static boolean tokenChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
