package io.gatehouse.accesslog;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the access log writes, validated.
 *
 * @param enabled write lines at all ({@code log.access})
 * @param format JSON or the text layout
 * @param fields the fields of each line, in order
 * @param file where lines go: a file appended to, or empty for stdout
 * @param queueLines lines the queue holds before new ones are dropped (and counted)
 * @param sampleRatio the share of successful requests (status below 400) written, 0 to 1
 * @param sampleErrors the share of 4xx and 5xx answers written, 0 to 1
 * @param routes per-route rules by route id ({@code tenant/source/name}), overriding the two ratios
 */
public record AccessLogOptions(
    boolean enabled,
    AccessFormat format,
    List<AccessField> fields,
    String file,
    int queueLines,
    double sampleRatio,
    double sampleErrors,
    Map<String, RouteRule> routes) {

  /** Request id, trace id and route in every line, as the issue asks. */
  public static final List<AccessField> DEFAULT_FIELDS =
      List.of(
          AccessField.TIME,
          AccessField.METHOD,
          AccessField.HOST,
          AccessField.PATH,
          AccessField.STATUS,
          AccessField.BYTES_IN,
          AccessField.BYTES_OUT,
          AccessField.DURATION_MS,
          AccessField.UPSTREAM,
          AccessField.ROUTE,
          AccessField.REQUEST_ID,
          AccessField.TRACE_ID,
          AccessField.CLIENT,
          AccessField.OVERFLOW);

  public static final int DEFAULT_QUEUE_LINES = 8192;
  public static final int MAX_QUEUE_LINES = 1 << 20;

  public static final AccessLogOptions OFF =
      new AccessLogOptions(
          false, AccessFormat.JSON, DEFAULT_FIELDS, "", DEFAULT_QUEUE_LINES, 1, 1, Map.of());

  public AccessLogOptions {
    fields = List.copyOf(fields);
    routes = Map.copyOf(routes);
  }

  /**
   * A route's own sampling: {@code off} writes nothing for it.
   *
   * @param sampleRatio the share of its successful requests written
   * @param sampleErrors the share of its 4xx and 5xx answers written
   */
  public record RouteRule(double sampleRatio, double sampleErrors) {
    public static final RouteRule OFF = new RouteRule(0, 0);
  }

  /** A value the access log cannot take: the key, the value and what was expected. */
  public static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final String value;
    private final String expected;

    Problem(String key, String value, String expected) {
      super(key + ": \"" + value + "\" (expected: " + expected + ")");
      this.key = key;
      this.value = value;
      this.expected = expected;
    }

    /** The key suffix after {@code log.}, e.g. {@code accessFields}. */
    public String key() {
      return key;
    }

    public String value() {
      return value;
    }

    public String expected() {
      return expected;
    }
  }

  /** Checks and builds the options from the configuration's values (keys named as in config). */
  public static AccessLogOptions parse(
      boolean enabled,
      AccessFormat format,
      List<String> fieldNames,
      String file,
      int queueLines,
      double sampleRatio,
      double sampleErrors,
      List<String> routeRules)
      throws Problem {
    if (fieldNames.isEmpty()) {
      throw new Problem("accessFields", "", "one or more of " + AccessField.catalogue());
    }
    List<AccessField> fields = new ArrayList<>();
    Set<AccessField> seen = EnumSet.noneOf(AccessField.class);
    for (String name : fieldNames) {
      AccessField f = AccessField.byKey(name);
      if (f == null) {
        throw new Problem("accessFields", name, "fields from " + AccessField.catalogue());
      }
      if (!seen.add(f)) {
        throw new Problem("accessFields", name, "each field once");
      }
      fields.add(f);
    }
    if (queueLines < 1 || queueLines > MAX_QUEUE_LINES) {
      throw new Problem(
          "accessQueueLines", Integer.toString(queueLines), "1 to " + MAX_QUEUE_LINES);
    }
    ratio("accessSampleRatio", sampleRatio);
    ratio("accessSampleErrors", sampleErrors);
    if (!file.equals(file.strip()) || file.indexOf('\0') >= 0) {
      throw new Problem("accessFile", file, "a file path without surrounding spaces, or empty");
    }
    Map<String, RouteRule> routes = new LinkedHashMap<>();
    for (String rule : routeRules) {
      int eq = rule.lastIndexOf('=');
      String id = eq < 0 ? "" : rule.substring(0, eq).trim();
      if (id.isEmpty()) {
        throw new Problem("accessRoutes", rule, RULE_FORM);
      }
      RouteRule parsed = rule(rule, rule.substring(eq + 1).trim());
      if (routes.put(id, parsed) != null) {
        throw new Problem("accessRoutes", rule, "one rule per route id");
      }
    }
    return new AccessLogOptions(
        enabled, format, fields, file, queueLines, sampleRatio, sampleErrors, routes);
  }

  private static final String RULE_FORM =
      "ROUTE_ID=off, ROUTE_ID=RATIO or ROUTE_ID=RATIO/ERRORS_RATIO, such as"
          + " default/file/health=off or shop/rest/api=0.1/1";

  private static RouteRule rule(String rule, String value) throws Problem {
    if (value.equals("off")) {
      return RouteRule.OFF;
    }
    int slash = value.indexOf('/');
    Double ratio = number(slash < 0 ? value : value.substring(0, slash));
    Double errors = slash < 0 ? ratio : number(value.substring(slash + 1));
    if (ratio == null || errors == null || !inRange(ratio) || !inRange(errors)) {
      throw new Problem("accessRoutes", rule, RULE_FORM + ", ratios from 0 to 1");
    }
    return new RouteRule(ratio, errors);
  }

  private static @Nullable Double number(String s) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean inRange(double r) {
    return r >= 0 && r <= 1;
  }

  private static void ratio(String key, double r) throws Problem {
    if (!inRange(r)) {
      throw new Problem(key, Double.toString(r), "a ratio from 0 (none) to 1 (every request)");
    }
  }
}
