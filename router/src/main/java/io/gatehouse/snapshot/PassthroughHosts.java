package io.gatehouse.snapshot;

import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.TlsSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The TLS passthrough routes by SNI name: exact names, the suffixes of {@code *.suffix} wildcards
 * of one label, and those of wildcards of any depth (a TLSRoute's, {@code
 * RouteSpec.wildcardsAnyDepth}: the longest suffix wins). Each name keeps every route that claims
 * it, sorted by key, so an incremental compile can add and remove routes without looking at the
 * others; the route with the smallest key is served. One instance per socket: the node's own HTTPS
 * listener's, and each Gateway listener's ({@link #byListener}), each holding the routes that name
 * it alone. Immutable.
 */
public record PassthroughHosts(
    Map<String, List<CompiledRoute>> exact,
    Map<String, List<CompiledRoute>> wildcardSuffixes,
    Map<String, List<CompiledRoute>> anyDepthSuffixes) {
  public static final PassthroughHosts NONE = new PassthroughHosts(Map.of(), Map.of(), Map.of());

  public PassthroughHosts {
    exact = Map.copyOf(exact);
    wildcardSuffixes = Map.copyOf(wildcardSuffixes);
    anyDepthSuffixes = Map.copyOf(anyDepthSuffixes);
  }

  /** Whether no route passes TLS through: then the listener needs no ClientHello reader at all. */
  public boolean isEmpty() {
    return exact.isEmpty() && wildcardSuffixes.isEmpty() && anyDepthSuffixes.isEmpty();
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

  /**
   * The passthrough route of a wildcard one label above this SNI name, else of the wildcard of any
   * depth with the longest suffix that covers it, or null.
   */
  public @Nullable CompiledRoute lookupWildcard(@Nullable String sniName) {
    if (sniName == null || sniName.isEmpty() || isEmpty()) {
      return null;
    }
    String name = name(sniName);
    int dot = name.indexOf('.');
    List<CompiledRoute> routes = dot > 0 ? wildcardSuffixes.get(name.substring(dot + 1)) : null;
    for (;
        routes == null && dot > 0 && !anyDepthSuffixes.isEmpty();
        dot = name.indexOf('.', dot + 1)) {
      routes = anyDepthSuffixes.get(name.substring(dot + 1));
    }
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
   * These names without the routes of {@code removed} and with those of {@code added}, of the
   * routes on {@code listener} alone (null: the node's own listeners); this instance when no such
   * route on either side passes TLS through.
   */
  PassthroughHosts with(
      @Nullable ListenerKey listener,
      Collection<@Nullable CompiledRoute> removed,
      Collection<@Nullable CompiledRoute> added) {
    Map<String, List<CompiledRoute>> e = null;
    Map<String, List<CompiledRoute>> w = null;
    Map<String, List<CompiledRoute>> d = null;
    for (int sign = -1; sign <= 1; sign += 2) {
      for (CompiledRoute r : sign < 0 ? removed : added) {
        if (r == null || !passesThrough(r) || !Objects.equals(r.spec().listener(), listener)) {
          continue;
        }
        if (e == null || w == null || d == null) {
          e = new HashMap<>(exact);
          w = new HashMap<>(wildcardSuffixes);
          d = new HashMap<>(anyDepthSuffixes);
        }
        for (String h : r.spec().hosts()) {
          boolean wildcard = h.startsWith("*.");
          Map<String, List<CompiledRoute>> target =
              !wildcard ? e : r.spec().wildcardsAnyDepth() ? d : w;
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
    return e == null || w == null || d == null ? this : new PassthroughHosts(e, w, d);
  }

  /**
   * The passthrough names of each Gateway listener, {@code before} with the routes of {@code
   * removed} and {@code added} that name one; a listener left without names is dropped. {@code
   * before} itself when no such route passes TLS through.
   */
  static Map<ListenerKey, PassthroughHosts> byListener(
      Map<ListenerKey, PassthroughHosts> before,
      Collection<@Nullable CompiledRoute> removed,
      Collection<@Nullable CompiledRoute> added) {
    Map<ListenerKey, List<List<@Nullable CompiledRoute>>> changes = new HashMap<>();
    for (int side = 0; side < 2; side++) {
      for (CompiledRoute r : side == 0 ? removed : added) {
        ListenerKey l = r == null ? null : r.spec().listener();
        if (l != null && passesThrough(r)) {
          changes
              .computeIfAbsent(l, k -> List.of(new ArrayList<>(), new ArrayList<>()))
              .get(side)
              .add(r);
        }
      }
    }
    if (changes.isEmpty()) {
      return before;
    }
    Map<ListenerKey, PassthroughHosts> out = new HashMap<>(before);
    changes.forEach(
        (l, c) -> {
          PassthroughHosts now = before.getOrDefault(l, NONE).with(l, c.get(0), c.get(1));
          if (now.isEmpty()) {
            out.remove(l);
          } else {
            out.put(l, now);
          }
        });
    return Map.copyOf(out);
  }
}
