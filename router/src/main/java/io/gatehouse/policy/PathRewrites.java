package io.gatehouse.policy;

import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.policy.PathModifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Gateway API's path modifier on a normalised request path, shared by the redirect and the rewrite
 * filters. A prefix replacement works on whole segments: the route's prefix that matched (the
 * longest of its prefixes that covers the path, as the path index picks) is cut off and the value,
 * less a trailing '/', put in its place; an empty result is "/". So {@code /foo} and {@code /xyz}
 * turn {@code /foo/bar} into {@code /xyz/bar}, {@code /foo/} into {@code /xyz/} and {@code /foo}
 * into {@code /xyz}; an empty or "/" value turns {@code /foo/bar} into {@code /bar}.
 */
final class PathRewrites {
  private final PathModifier.Type type;

  /** The full path, or the prefix replacement without its trailing '/' ("" to strip). */
  private final String value;

  /** The route's prefixes without trailing '/', longest first ("/" last). */
  private final String[] prefixes;

  PathRewrites(PathModifier m, List<PathMatch> routePaths) {
    this.type = m.type();
    String v = m.value();
    if (type == PathModifier.Type.REPLACE_PREFIX_MATCH && v.endsWith("/")) {
      v = v.substring(0, v.length() - 1);
    }
    this.value = v;
    this.prefixes = prefixes(routePaths);
  }

  static String[] prefixes(List<PathMatch> routePaths) {
    List<String> p = new ArrayList<>();
    for (PathMatch m : routePaths) {
      if (m.type() == PathMatchType.PREFIX || m.type() == PathMatchType.IMPLEMENTATION_SPECIFIC) {
        String v = m.value();
        p.add(v.length() > 1 && v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
      }
    }
    if (routePaths.isEmpty()) {
      p.add("/");
    }
    p.sort(Comparator.comparingInt(String::length).reversed());
    return p.toArray(new String[0]);
  }

  /** Whether a prefix replacement strips the prefix (value "" or "/"). */
  boolean strips() {
    return type == PathModifier.Type.REPLACE_PREFIX_MATCH && value.isEmpty();
  }

  /** The route's prefix that matched {@code path}, or null (a route matched another way). */
  @Nullable String matchedPrefix(String path) {
    for (String p : prefixes) {
      if (coversSegments(p, path)) {
        return p;
      }
    }
    return null;
  }

  /** The modified path: {@code path} itself when a prefix replacement finds no prefix. */
  String apply(String path) {
    if (type == PathModifier.Type.REPLACE_FULL_PATH) {
      return value;
    }
    String prefix = matchedPrefix(path);
    if (prefix == null) {
      return path;
    }
    return replacePrefix(path, prefix, value);
  }

  /**
   * {@code path} with {@code prefix} (covering whole segments, no trailing '/') replaced by {@code
   * replacement} (no trailing '/', "" to strip).
   */
  static String replacePrefix(String path, String prefix, String replacement) {
    String rest = prefix.equals("/") ? path : path.substring(prefix.length());
    if (replacement.isEmpty()) {
      return rest.isEmpty() ? "/" : rest;
    }
    if (rest.equals("/") && prefix.equals("/")) {
      return replacement + "/";
    }
    return replacement + rest;
  }

  /** Whether {@code prefix} (no trailing '/') covers {@code path} in whole segments. */
  static boolean coversSegments(String prefix, String path) {
    if (prefix.equals("/")) {
      return true;
    }
    return path.startsWith(prefix)
        && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
  }

  @Override
  public String toString() {
    return type + " " + value;
  }
}
