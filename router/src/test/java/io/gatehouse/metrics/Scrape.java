package io.gatehouse.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition: one value per series, keyed by name and labels in name order
 * ({@code name{a="1",b="2"}}), whatever order the registry printed them in.
 */
final class Scrape {
  private static final Pattern LINE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)(\\s+\\S+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  final Map<String, Double> series = new LinkedHashMap<>();
  final String text;

  Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not an exposition line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      series.put(key(m.group(1), labels), Double.parseDouble(m.group(4)));
    }
  }

  static String key(String name, Map<String, String> labels) {
    StringBuilder b = new StringBuilder(name).append('{');
    labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
    return b.append('}').toString();
  }

  /** The value of {@code name} with exactly {@code labels} (pairs), or null when absent. */
  Double value(String name, String... labels) {
    Map<String, String> l = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    return series.get(key(name, l));
  }

  /** The sum over every series of {@code name} whose labels include {@code labels}. */
  double sum(String name, String... labels) {
    double total = 0;
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= k.contains(labels[i] + "=\"" + labels[i + 1] + "\",");
      }
      if (all) {
        total += e.getValue();
      }
    }
    return total;
  }

  /** The metric names of every series (histograms as their {@code _bucket}, {@code _count}...). */
  Set<String> names() {
    Set<String> out = new TreeSet<>();
    for (String k : series.keySet()) {
      out.add(k.substring(0, k.indexOf('{')));
    }
    return out;
  }

  /** How many series have a name starting with {@code prefix}. */
  long count(String prefix) {
    return series.keySet().stream().filter(k -> k.startsWith(prefix)).count();
  }
}
