package io.gatehouse.snapshot;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The routes of one host level (an exact host, a wildcard suffix or the catch-all), indexed by
 * path. Lookup order, after Kubernetes Ingress precedence:
 *
 * <ol>
 *   <li>Exact paths: one hash lookup of the whole path.
 *   <li>Prefix and ImplementationSpecific paths (the latter treated exactly as Prefix): a trie of
 *       path segments walked once, from the deepest matching node back to the root; {@code /foo}
 *       matches {@code /foo}, {@code /foo/} and {@code /foo/bar}, never {@code /foobar}. The work
 *       grows with the segments of the request path, not with the number of routes.
 *   <li>Regular expressions (RE2, whole path) in {@link RegexRoute#ORDER}.
 * </ol>
 *
 * At each level the candidates are tried in {@link RouteMatcher#ORDER}; the first whose conditions
 * hold wins, and when none does the lookup goes on to the next level (a shorter prefix, then the
 * regular expressions).
 */
final class PathIndex {
  private static final RouteMatcher[] NONE = new RouteMatcher[0];

  private final Map<String, RouteMatcher[]> exact;
  private final @Nullable Node root;
  private final RegexRoute[] regexes;

  private PathIndex(Map<String, RouteMatcher[]> exact, @Nullable Node root, RegexRoute[] regexes) {
    this.exact = exact;
    this.root = root;
    this.regexes = regexes;
  }

  @Nullable RouteMatcher match(String path, RequestView request) {
    if (!exact.isEmpty()) {
      RouteMatcher[] atPath = exact.get(path);
      if (atPath != null) {
        RouteMatcher m = RouteMatcher.first(atPath, request);
        if (m != null) {
          return m;
        }
      }
    }
    if (root != null && !path.isEmpty() && path.charAt(0) == '/') {
      for (Node n = deepest(path, null).best; n != null; n = n.fallback) {
        RouteMatcher m = RouteMatcher.first(n.routes, request);
        if (m != null) {
          return m;
        }
      }
    }
    for (RegexRoute r : regexes) {
      if ((r.route.conditionCount == 0 || r.route.accepts(request)) && r.pattern.matches(path)) {
        return r.route;
      }
    }
    return null;
  }

  /**
   * {@link #match} step by step: candidates whose conditions fail go to {@code passed}; {@code
   * rule} gets the winner's path type and value.
   */
  @Nullable RouteMatcher trace(
      String path,
      RequestView request,
      List<MatchTrace.PassedOver> passed,
      @Nullable String[] rule) {
    RouteMatcher[] atPath = exact.get(path);
    if (atPath != null) {
      RouteMatcher m = firstTraced(atPath, request, "Exact", path, passed);
      if (m != null) {
        rule[0] = "Exact";
        rule[1] = path;
        return m;
      }
    }
    if (root != null && !path.isEmpty() && path.charAt(0) == '/') {
      // The walk of deepest(), remembering where each visited node's prefix ends.
      List<Node> nodes = new ArrayList<>();
      List<Integer> ends = new ArrayList<>();
      Node n = root;
      nodes.add(n);
      ends.add(1);
      int len = path.length();
      int i = 1;
      while (i < len && n.hasChildren()) {
        int end = path.indexOf('/', i);
        if (end < 0) {
          end = len;
        }
        if (end == i) {
          break;
        }
        Node child = n.child(path, i, end);
        if (child == null) {
          break;
        }
        n = child;
        nodes.add(n);
        ends.add(end);
        i = end + 1;
      }
      for (int k = nodes.size() - 1; k >= 0; k--) {
        if (nodes.get(k).routes.length == 0) {
          continue;
        }
        String prefix = path.substring(0, ends.get(k));
        RouteMatcher m = firstTraced(nodes.get(k).routes, request, "Prefix", prefix, passed);
        if (m != null) {
          rule[0] = "Prefix";
          rule[1] = prefix;
          return m;
        }
      }
    }
    for (RegexRoute r : regexes) {
      if (!r.pattern.matches(path)) {
        continue;
      }
      String failed = r.route.failure(request);
      if (failed == null) {
        rule[0] = "RegularExpression";
        rule[1] = r.regex;
        return r.route;
      }
      passed.add(new MatchTrace.PassedOver(r.route.route, "RegularExpression", r.regex, failed));
    }
    return null;
  }

  private static @Nullable RouteMatcher firstTraced(
      RouteMatcher[] candidates,
      RequestView request,
      String type,
      String value,
      List<MatchTrace.PassedOver> passed) {
    for (RouteMatcher c : candidates) {
      String failed = c.failure(request);
      if (failed == null) {
        return c;
      }
      passed.add(new MatchTrace.PassedOver(c.route, type, value, failed));
    }
    return null;
  }

  /**
   * The deepest trie node whose segments are a prefix of {@code path}'s segments. {@code probes},
   * when not null, counts the nodes and child lookups visited (a test hook; null on the hot path).
   * Only on an index with a prefix trie ({@link #hasPrefixTrie}), which every caller checks first.
   */
  Node deepest(String path, int @Nullable [] probes) {
    Node n = Objects.requireNonNull(root, "root");
    if (probes != null) {
      probes[0]++;
    }
    int len = path.length();
    int i = 1;
    while (i < len && n.hasChildren()) {
      int end = path.indexOf('/', i);
      if (end < 0) {
        end = len;
      }
      if (end == i) {
        break;
      }
      Node child = n.child(path, i, end);
      if (probes != null) {
        probes[0]++;
      }
      if (child == null) {
        break;
      }
      n = child;
      i = end + 1;
    }
    return n;
  }

  boolean hasPrefixTrie() {
    return root != null;
  }

  /** One node of the segment trie; immutable once the snapshot is built. */
  static final class Node {
    final RouteMatcher[] routes;

    /** This node if it has routes, else the nearest ancestor that has; null if none. */
    @Nullable Node best;

    /** The nearest strict ancestor that has routes; null if none. */
    @Nullable Node fallback;

    /** The one child's segment when there is exactly one child (then {@code onlyChild} is set). */
    private @Nullable String onlyKey;

    private @Nullable Node onlyChild;
    private @Nullable RangeMap<Node> children;

    Node(RouteMatcher[] routes) {
      this.routes = routes;
    }

    boolean hasChildren() {
      return onlyKey != null || children != null;
    }

    @Nullable Node child(String path, int from, int to) {
      String k = onlyKey;
      if (k != null) {
        int len = to - from;
        return k.length() == len && k.regionMatches(0, path, from, len) ? onlyChild : null;
      }
      return children == null ? null : children.get(path, from, to);
    }
  }

  /** A regular-expression path with the route it belongs to. */
  static final class RegexRoute {
    /** Priority high to low, then longer expressions first, then route key, then expression. */
    static final Comparator<RegexRoute> ORDER =
        (a, b) -> {
          if (a.route.priority != b.route.priority) {
            return a.route.priority > b.route.priority ? -1 : 1;
          }
          if (a.regex.length() != b.regex.length()) {
            return a.regex.length() > b.regex.length() ? -1 : 1;
          }
          int c = a.route.key.compareTo(b.route.key);
          return c != 0 ? c : a.regex.compareTo(b.regex);
        };

    final String regex;
    final Pattern pattern;
    final RouteMatcher route;

    RegexRoute(String regex, Pattern pattern, RouteMatcher route) {
      this.regex = regex;
      this.pattern = pattern;
      this.route = route;
    }
  }

  /** Collects the paths of one host level; not thread-safe, used once by the compiler. */
  static final class Builder {
    private final Map<String, List<RouteMatcher>> exact = new HashMap<>();
    private final MutableNode root;
    private boolean anyPrefix;
    private final List<RegexRoute> regexes = new ArrayList<>();

    Builder() {
      root = new MutableNode();
    }

    /**
     * A builder that starts with the entries of {@code from} whose route {@code keep} accepts: an
     * incremental compile rebuilds a level from it without compiling its other routes again.
     */
    Builder(PathIndex from, Predicate<RouteMatcher> keep) {
      for (Map.Entry<String, RouteMatcher[]> e : from.exact.entrySet()) {
        List<RouteMatcher> kept = keep(e.getValue(), keep);
        if (!kept.isEmpty()) {
          exact.put(e.getKey(), kept);
        }
      }
      MutableNode thawed = from.root == null ? null : thaw(from.root, keep);
      root = thawed == null ? new MutableNode() : thawed;
      anyPrefix = thawed != null;
      for (RegexRoute r : from.regexes) {
        if (keep.test(r.route)) {
          regexes.add(r);
        }
      }
    }

    /** True when no route is left: the level goes away. */
    boolean isEmpty() {
      return exact.isEmpty() && !anyPrefix && regexes.isEmpty();
    }

    /** The kept part of a trie, or null when no route is left in it (so pruned nodes vanish). */
    private static @Nullable MutableNode thaw(Node n, Predicate<RouteMatcher> keep) {
      MutableNode m = new MutableNode();
      m.routes.addAll(keep(n.routes, keep));
      if (n.onlyKey != null) {
        MutableNode c = thaw(Objects.requireNonNull(n.onlyChild, "onlyChild"), keep);
        if (c != null) {
          m.children.put(n.onlyKey, c);
        }
      } else if (n.children != null) {
        n.children.forEach(
            (k, child) -> {
              MutableNode c = thaw(child, keep);
              if (c != null) {
                m.children.put(k, c);
              }
            });
      }
      return m.routes.isEmpty() && m.children.isEmpty() ? null : m;
    }

    private static List<RouteMatcher> keep(RouteMatcher[] routes, Predicate<RouteMatcher> keep) {
      List<RouteMatcher> out = new ArrayList<>(routes.length);
      for (RouteMatcher r : routes) {
        if (keep.test(r)) {
          out.add(r);
        }
      }
      return out;
    }

    void addExact(String path, RouteMatcher route) {
      addOnce(exact.computeIfAbsent(path, p -> new ArrayList<>(1)), route);
    }

    /** {@code path} starts with '/', has no empty segment and no trailing '/' unless it is "/". */
    void addPrefix(String path, RouteMatcher route) {
      anyPrefix = true;
      MutableNode n = root;
      int i = 1;
      while (i < path.length()) {
        int end = path.indexOf('/', i);
        if (end < 0) {
          end = path.length();
        }
        n = n.children.computeIfAbsent(path.substring(i, end), s -> new MutableNode());
        i = end + 1;
      }
      addOnce(n.routes, route);
    }

    void addRegex(String regex, Pattern pattern, RouteMatcher route) {
      if (!regexes.isEmpty()) {
        RegexRoute last = regexes.get(regexes.size() - 1);
        if (last.route == route && last.regex.equals(regex)) {
          return;
        }
      }
      regexes.add(new RegexRoute(regex, pattern, route));
    }

    PathIndex build() {
      Map<String, RouteMatcher[]> exactPaths = new HashMap<>(exact.size() * 2);
      for (Map.Entry<String, List<RouteMatcher>> e : exact.entrySet()) {
        exactPaths.put(e.getKey(), sorted(e.getValue()));
      }
      Node trie = anyPrefix ? freeze(root, null) : null;
      RegexRoute[] rx = regexes.toArray(new RegexRoute[0]);
      java.util.Arrays.sort(rx, RegexRoute.ORDER);
      return new PathIndex(exactPaths.isEmpty() ? Map.of() : exactPaths, trie, rx);
    }

    private static Node freeze(MutableNode m, @Nullable Node ancestorWithRoutes) {
      Node n = new Node(m.routes.isEmpty() ? NONE : sorted(m.routes));
      n.fallback = ancestorWithRoutes;
      n.best = n.routes.length > 0 ? n : ancestorWithRoutes;
      if (m.children.size() == 1) {
        Map.Entry<String, MutableNode> only = m.children.entrySet().iterator().next();
        n.onlyKey = only.getKey();
        n.onlyChild = freeze(only.getValue(), n.best);
      } else if (!m.children.isEmpty()) {
        Map<String, Node> kids = new HashMap<>(m.children.size() * 2);
        for (Map.Entry<String, MutableNode> e : m.children.entrySet()) {
          kids.put(e.getKey(), freeze(e.getValue(), n.best));
        }
        n.children = new RangeMap<>(kids);
      }
      return n;
    }

    private static RouteMatcher[] sorted(List<RouteMatcher> routes) {
      RouteMatcher[] a = routes.toArray(new RouteMatcher[0]);
      java.util.Arrays.sort(a, RouteMatcher.ORDER);
      return a;
    }

    /** A route adds its paths one after the other, so a repeat can only be the last entry. */
    private static void addOnce(List<RouteMatcher> list, RouteMatcher route) {
      if (list.isEmpty() || list.get(list.size() - 1) != route) {
        list.add(route);
      }
    }
  }

  private static final class MutableNode {
    final Map<String, MutableNode> children = new HashMap<>(2);
    final List<RouteMatcher> routes = new ArrayList<>(1);
  }
}
