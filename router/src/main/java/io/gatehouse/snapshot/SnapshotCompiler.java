package io.gatehouse.snapshot;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.snapshot.RouteMatcher.ValueCondition;
import io.gatehouse.table.TableView;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a table view into an immutable {@link RouteSnapshot}. Pure and deterministic (routes are
 * taken in {@code RouteKey} order); meant to run off the event loop.
 *
 * <p>The table holds validated routes, but the compiler trusts nothing it cannot use: a host, path
 * or condition it cannot compile becomes a {@link RouteProblem} and the rest ships. A bad host or
 * path only drops that host or path (the route narrows); a bad condition, or a route left without
 * hosts or paths, drops the whole route (it must never widen).
 *
 * <p>Equal {@link BackendSpec}s share one index in {@link RouteSnapshot#backends()}.
 */
public final class SnapshotCompiler {
  private SnapshotCompiler() {}

  public static RouteSnapshot compile(TableView view) {
    List<RouteSpec> specs = new ArrayList<>(view.routes().values());
    specs.sort((a, b) -> a.key().compareTo(b.key()));

    Map<BackendSpec, Integer> backendIndex = new HashMap<>();
    List<BackendSpec> backends = new ArrayList<>();
    List<CompiledRoute> routes = new ArrayList<>(specs.size());
    List<RouteProblem> problems = new ArrayList<>();
    Map<String, PathIndex.Builder> exactHosts = new HashMap<>();
    Map<String, PathIndex.Builder> wildcards = new HashMap<>();
    PathIndex.Builder catchAll = null;
    Set<String> clientCertHosts = new java.util.HashSet<>();
    Set<String> clientCertWildcards = new java.util.HashSet<>();

    for (RouteSpec spec : specs) {
      List<String> issues = new ArrayList<>(0);
      Set<String> hosts = hosts(spec, issues);
      ValueCondition[] headers = headers(spec.headers(), issues);
      ValueCondition[] queries = queries(spec.queries(), issues);
      boolean conditionsOk = headers != null && queries != null;
      List<CompiledPath> paths = paths(spec.paths(), issues);
      ClientCertificateCheck clientCertificates = null;
      String fatal = null;
      if (spec.tls() != null && spec.tls().clientAuth().enabled()) {
        Validated<ClientCertificateCheck> check =
            ClientCertificateCheck.of(spec.tls().clientAuth());
        if (check.isValid()) {
          clientCertificates = check.value();
        } else {
          for (Violation violation : check.violations()) {
            issues.add(violation.message());
          }
          // Never serve a host that asks for client certificates without its CAs.
          fatal = "route dropped: its client CA bundle cannot be used";
        }
      }
      if (fatal != null) {
        // The client CA bundle decided it.
      } else if (!conditionsOk) {
        fatal = "route dropped: a condition cannot be compiled";
      } else if (!spec.hosts().isEmpty() && hosts.isEmpty()) {
        fatal = "route dropped: none of its hosts can be used";
      } else if (paths.isEmpty()) {
        fatal = "route dropped: none of its paths can be used";
      }
      for (String issue : issues) {
        problems.add(new RouteProblem(spec.key(), issue));
      }
      if (fatal != null) {
        problems.add(new RouteProblem(spec.key(), fatal));
        continue;
      }

      Integer index = backendIndex.get(spec.backend());
      if (index == null) {
        index = backends.size();
        backendIndex.put(spec.backend(), index);
        backends.add(spec.backend());
      }
      CompiledRoute route =
          new CompiledRoute(spec, spec.key().toString(), index, clientCertificates);
      routes.add(route);
      if (clientCertificates != null) {
        for (String h : spec.tls().hosts()) {
          if (h.startsWith("*.")) {
            clientCertWildcards.add(h.substring(2));
          } else {
            clientCertHosts.add(h);
          }
        }
      }
      RouteMatcher matcher = new RouteMatcher(route, methods(spec.methods()), headers, queries);

      List<PathIndex.Builder> levels = new ArrayList<>(Math.max(1, hosts.size()));
      if (hosts.isEmpty()) {
        if (catchAll == null) {
          catchAll = new PathIndex.Builder();
        }
        levels.add(catchAll);
      } else {
        for (String h : hosts) {
          Map<String, PathIndex.Builder> target = h.startsWith("*.") ? wildcards : exactHosts;
          String k = h.startsWith("*.") ? h.substring(2) : h;
          levels.add(target.computeIfAbsent(k, x -> new PathIndex.Builder()));
        }
      }
      for (PathIndex.Builder level : levels) {
        for (CompiledPath p : paths) {
          switch (p.kind) {
            case EXACT -> level.addExact(p.value, matcher);
            case PREFIX -> level.addPrefix(p.value, matcher);
            case REGEX -> level.addRegex(p.value, p.pattern, matcher);
          }
        }
      }
    }

    HostIndex index =
        new HostIndex(
            build(exactHosts), build(wildcards), catchAll == null ? null : catchAll.build());
    return new RouteSnapshot(
        view.generation(),
        routes,
        backends,
        problems,
        index,
        new RouteSnapshot.ClientCertificateHosts(clientCertHosts, clientCertWildcards));
  }

  private static Map<String, PathIndex> build(Map<String, PathIndex.Builder> builders) {
    Map<String, PathIndex> out = new HashMap<>(builders.size() * 2);
    for (Map.Entry<String, PathIndex.Builder> e : builders.entrySet()) {
      out.put(e.getKey(), e.getValue().build());
    }
    return out;
  }

  private static Set<String> hosts(RouteSpec spec, List<String> issues) {
    Set<String> out = new LinkedHashSet<>();
    List<String> raw = spec.hosts();
    for (int i = 0; i < raw.size(); i++) {
      String h = raw.get(i);
      if (h != null && isNormalisedHost(h)) {
        out.add(h);
        continue;
      }
      Validated<String> v = Hostnames.normalizeConfigured("hosts[" + i + "]", h);
      if (v.isValid()) {
        out.add(v.value());
      } else {
        for (Violation violation : v.violations()) {
          issues.add(violation.message() + "; host dropped");
        }
      }
    }
    return out;
  }

  /** The cheap check for what the validator produces: [a-z0-9.-] labels, optional "*." first. */
  private static boolean isNormalisedHost(String h) {
    int start = h.startsWith("*.") ? 2 : 0;
    if (start >= h.length() || h.length() > Hostnames.MAX_LENGTH) {
      return false;
    }
    char prev = '.';
    for (int i = start; i < h.length(); i++) {
      char c = h.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      if (!ok || (c == '.' && prev == '.')) {
        return false;
      }
      prev = c;
    }
    return prev != '.' && (start == 0 || h.indexOf('.', start) > 0);
  }

  private enum Kind {
    EXACT,
    PREFIX,
    REGEX
  }

  private record CompiledPath(Kind kind, String value, Pattern pattern) {}

  private static List<CompiledPath> paths(List<PathMatch> raw, List<String> issues) {
    if (raw.isEmpty()) {
      return List.of(new CompiledPath(Kind.PREFIX, "/", null));
    }
    List<CompiledPath> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      PathMatch p = raw.get(i);
      String field = "paths[" + i + "].value";
      String v = p.value();
      switch (p.type()) {
        case REGULAR_EXPRESSION -> {
          Pattern pattern = compileRegex(field, v, issues, "; path dropped");
          if (pattern != null) {
            out.add(new CompiledPath(Kind.REGEX, v, pattern));
          }
        }
        case EXACT -> {
          if (checkPath(field, v, issues)) {
            out.add(new CompiledPath(Kind.EXACT, v, null));
          }
        }
        case PREFIX, IMPLEMENTATION_SPECIFIC -> {
          if (checkPath(field, v, issues)) {
            String prefix = v.length() > 1 && v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
            out.add(new CompiledPath(Kind.PREFIX, prefix, null));
          }
        }
      }
    }
    return out;
  }

  private static boolean checkPath(String field, String v, List<String> issues) {
    String rule = null;
    if (v.isEmpty() || v.charAt(0) != '/') {
      rule = "starts with '/'";
    } else if (v.contains("//")) {
      rule = "no empty segments ('//')";
    }
    if (rule != null) {
      issues.add(new Violation(field, v, rule).message() + "; path dropped");
      return false;
    }
    return true;
  }

  private static Pattern compileRegex(String field, String v, List<String> issues, String what) {
    try {
      return Pattern.compile(v);
    } catch (PatternSyntaxException e) {
      issues.add(
          new Violation(field, v, "an RE2 regular expression (" + e.getDescription() + ")")
                  .message()
              + what);
      return null;
    }
  }

  private static String[] methods(Set<String> methods) {
    String[] out = new String[methods.size()];
    int i = 0;
    for (String m : new java.util.TreeSet<>(methods)) {
      out[i++] = m.toUpperCase(Locale.ROOT);
    }
    return out;
  }

  /** Null when a condition cannot be compiled (the issue is recorded). */
  private static ValueCondition[] headers(List<HeaderMatch> raw, List<String> issues) {
    ValueCondition[] out = new ValueCondition[raw.size()];
    boolean ok = true;
    for (int i = 0; i < raw.size(); i++) {
      HeaderMatch h = raw.get(i);
      out[i] =
          condition(
              "headers[" + i + "]", h.name().toLowerCase(Locale.ROOT), h.type(), h.value(), issues);
      ok &= out[i] != null;
    }
    return ok ? out : null;
  }

  private static ValueCondition[] queries(List<QueryMatch> raw, List<String> issues) {
    ValueCondition[] out = new ValueCondition[raw.size()];
    boolean ok = true;
    for (int i = 0; i < raw.size(); i++) {
      QueryMatch q = raw.get(i);
      out[i] = condition("queries[" + i + "]", q.name(), q.type(), q.value(), issues);
      ok &= out[i] != null;
    }
    return ok ? out : null;
  }

  private static ValueCondition condition(
      String field, String name, ValueMatchType type, String value, List<String> issues) {
    return switch (type) {
      case EXACT -> new ValueCondition(name, ValueCondition.EXACT, value, null);
      case PRESENT -> new ValueCondition(name, ValueCondition.PRESENT, value, null);
      case REGULAR_EXPRESSION -> {
        Pattern p = compileRegex(field + ".value", value, issues, "");
        yield p == null ? null : new ValueCondition(name, ValueCondition.REGEX, value, p);
      }
    };
  }
}
