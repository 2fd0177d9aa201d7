package io.gatehouse.snapshot;

import io.gatehouse.model.TlsSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The TLS passthrough routes by SNI name: exact names, and the suffixes of {@code *.suffix}
 * wildcards (one label, as everywhere else). Each name keeps every route that claims it, sorted by
 * key, so an incremental compile can add and remove routes without looking at the others; the route
 * with the smallest key is served. Immutable.
 */
public record PassthroughHosts(
    Map<String, List<CompiledRoute>> exact, Map<String, List<CompiledRoute>> wildcardSuffixes) {
  public static final PassthroughHosts NONE = new PassthroughHosts(Map.of(), Map.of());

  public PassthroughHosts {
    exact = Map.copyOf(exact);
    wildcardSuffixes = Map.copyOf(wildcardSuffixes);
  }

  /** Whether no route passes TLS through: then the listener needs no ClientHello reader at all. */
  public boolean isEmpty() {
    return exact.isEmpty() && wildcardSuffixes.isEmpty();
  }

  /**
   * The passthrough route for an SNI name (any case, an optional trailing dot), or null: the exact
   * name first, then the wildcard one label above.
   */
  public @Nullable CompiledRoute lookup(@Nullable String sniName) {
    if (sniName == null || sniName.isEmpty() || isEmpty()) {
      return null;
    }
    CompiledRoute route = lookupExact(sniName);
    return route != null ? route : lookupWildcard(sniName);
  }

  /** The passthrough route of a wildcard one label above this SNI name, or null. */
  public @Nullable CompiledRoute lookupWildcard(@Nullable String sniName) {
    if (sniName == null || sniName.isEmpty() || isEmpty()) {
      return null;
    }
    String name = name(sniName);
    int dot = name.indexOf('.');
    List<CompiledRoute> routes = dot > 0 ? wildcardSuffixes.get(name.substring(dot + 1)) : null;
    return routes == null ? null : routes.get(0);
  }

  /** The passthrough route for exactly this SNI name (no wildcard), or null. */
  public @Nullable CompiledRoute lookupExact(@Nullable String sniName) {
    if (sniName == null || sniName.isEmpty() || isEmpty()) {
      return null;
    }
    List<CompiledRoute> routes = exact.get(name(sniName));
    return routes == null ? null : routes.get(0);
  }

  /** An SNI name as the indexes hold names: lower case, without a trailing dot. */
  static String name(String sniName) {
    String name = sniName.toLowerCase(Locale.ROOT);
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  /** Whether a compiled route passes TLS through. */
  static boolean passesThrough(@Nullable CompiledRoute r) {
    TlsSpec tls = r == null ? null : r.spec().tls();
    return tls != null && tls.passthrough();
  }

  /**
   * These names without the routes of {@code removed} and with those of {@code added}; this
   * instance when neither side passes TLS through.
   */
  PassthroughHosts with(
      Collection<@Nullable CompiledRoute> removed, Collection<@Nullable CompiledRoute> added) {
    Map<String, List<CompiledRoute>> e = null;
    Map<String, List<CompiledRoute>> w = null;
    for (int sign = -1; sign <= 1; sign += 2) {
      for (CompiledRoute r : sign < 0 ? removed : added) {
        if (r == null || !passesThrough(r)) {
          continue;
        }
        if (e == null || w == null) {
          e = new HashMap<>(exact);
          w = new HashMap<>(wildcardSuffixes);
        }
        for (String h : r.spec().hosts()) {
          boolean wildcard = h.startsWith("*.");
          Map<String, List<CompiledRoute>> target = wildcard ? w : e;
          String k = wildcard ? h.substring(2) : h;
          List<CompiledRoute> now = new ArrayList<>(target.getOrDefault(k, List.of()));
          now.removeIf(c -> c.spec().key().equals(r.spec().key()));
          if (sign > 0) {
            now.add(r);
            now.sort((a, b) -> a.spec().key().compareTo(b.spec().key()));
          }
          if (now.isEmpty()) {
            target.remove(k);
          } else {
            target.put(k, List.copyOf(now));
          }
        }
      }
    }
    return e == null || w == null ? this : new PassthroughHosts(e, w);
  }
}
