package io.gatehouse.metrics;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a PromQL expression (or a Grafana {@code label_values} query) reads. */
final class DashboardQueries {
  private static final Pattern STRINGS = Pattern.compile("\\\"(?:[^\\\"\\\\]|\\\\.)*\\\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*\\}");
  private static final Pattern RANGES = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern GROUPINGS =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(([^,)]+)(,[^)]*)?\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\()?");
  private static final Set<String> KEYWORDS =
      Set.of("by", "without", "and", "or", "unless", "bool", "offset", "on", "ignoring");

  private DashboardQueries() {}

  static Set<String> metricNames(String expr) {
    Set<String> out = new TreeSet<>();
    Matcher lv = LABEL_VALUES.matcher(expr);
    if (lv.matches()) {
      out.add(lv.group(1).trim());
      return out;
    }
    String e = STRINGS.matcher(expr).replaceAll(" ");
    e = MATCHERS.matcher(e).replaceAll(" ");
    e = RANGES.matcher(e).replaceAll(" ");
    e = GROUPINGS.matcher(e).replaceAll(" ");
    Matcher m = IDENTIFIER.matcher(e);
    while (m.find()) {
      boolean function = m.group(2) != null;
      if (!function && !KEYWORDS.contains(m.group(1))) {
        out.add(m.group(1));
      }
    }
    return out;
  }
}
