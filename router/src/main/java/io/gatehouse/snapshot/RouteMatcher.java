package io.gatehouse.snapshot;

import com.google.re2j.Pattern;
import io.gatehouse.model.RouteKey;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;

/**
 * One compiled route with its method, header and query conditions ready to test. Shared by every
 * host and path the route lists.
 */
final class RouteMatcher {
  /**
   * Order of candidates at the same host and path: higher priority first, then more conditions (a
   * non-empty method set counts as one, each header and query match as one), then {@link RouteKey}
   * order.
   */
  static final Comparator<RouteMatcher> ORDER =
      (a, b) -> {
        if (a.priority != b.priority) {
          return a.priority > b.priority ? -1 : 1;
        }
        if (a.conditionCount != b.conditionCount) {
          return a.conditionCount > b.conditionCount ? -1 : 1;
        }
        return a.key.compareTo(b.key);
      };

  final CompiledRoute route;
  final RouteKey key;
  final int priority;
  final int conditionCount;

  /** Upper-case method names; empty means every method. */
  private final String[] methods;

  private final ValueCondition[] headers;
  private final ValueCondition[] queries;

  RouteMatcher(
      CompiledRoute route, String[] methods, ValueCondition[] headers, ValueCondition[] queries) {
    this.route = route;
    this.key = route.spec().key();
    this.priority = route.spec().priority();
    this.methods = methods;
    this.headers = headers;
    this.queries = queries;
    this.conditionCount = (methods.length > 0 ? 1 : 0) + headers.length + queries.length;
  }

  /** True when every method, header and query condition of the route holds for the request. */
  boolean accepts(RequestView request) {
    if (methods.length > 0 && !methodAllowed(request.method())) {
      return false;
    }
    for (ValueCondition h : headers) {
      if (!h.test(request.header(h.name))) {
        return false;
      }
    }
    for (ValueCondition q : queries) {
      if (!q.test(request.queryParam(q.name))) {
        return false;
      }
    }
    return true;
  }

  /** The first condition that fails for the request, described; null when every one holds. */
  @Nullable String failure(RequestView request) {
    if (methods.length > 0 && !methodAllowed(request.method())) {
      return "method " + request.method() + " not in " + java.util.Arrays.toString(methods);
    }
    for (ValueCondition h : headers) {
      if (!h.test(request.header(h.name))) {
        return "header " + h.describe();
      }
    }
    for (ValueCondition q : queries) {
      if (!q.test(request.queryParam(q.name))) {
        return "query " + q.describe();
      }
    }
    return null;
  }

  private boolean methodAllowed(String method) {
    if (method == null) {
      return false;
    }
    for (String m : methods) {
      if (m.equals(method)) {
        return true;
      }
    }
    return false;
  }

  /** The first candidate, in the order given, whose conditions hold; or null. */
  static @Nullable RouteMatcher first(RouteMatcher[] candidates, RequestView request) {
    for (RouteMatcher c : candidates) {
      if (c.conditionCount == 0 || c.accepts(request)) {
        return c;
      }
    }
    return null;
  }

  /** A header or query condition with its RE2 pattern compiled once. */
  static final class ValueCondition {
    static final int EXACT = 0;
    static final int REGEX = 1;
    static final int PRESENT = 2;

    final String name;
    private final int kind;
    private final String value;

    /** The compiled {@code value} of a {@link #REGEX} condition; null for the other kinds. */
    private final @Nullable Pattern pattern;

    ValueCondition(String name, int kind, String value, @Nullable Pattern pattern) {
      this.name = name;
      this.kind = kind;
      this.value = value;
      this.pattern = pattern;
    }

    String describe() {
      return switch (kind) {
        case EXACT -> name + " = \"" + value + "\"";
        case REGEX -> name + " ~ " + value; // the expression the pattern was compiled from
        default -> name + " present";
      };
    }

    boolean test(@Nullable String actual) {
      if (actual == null) {
        return false;
      }
      switch (kind) {
        case EXACT:
          return value.equals(actual);
        case REGEX:
          return pattern != null && pattern.matches(actual); // never null for REGEX
        default:
          return true;
      }
    }
  }
}
