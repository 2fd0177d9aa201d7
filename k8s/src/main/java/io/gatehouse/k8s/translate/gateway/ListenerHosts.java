package io.gatehouse.k8s.translate.gateway;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The hosts a route serves on a listener, by the Gateway API's rules: the intersection of the
 * route's hostnames and the listener's hostname, where {@code *.example.com} matches any name with
 * one or more labels before {@code .example.com} (never {@code example.com} itself).
 */
final class ListenerHosts {
  private ListenerHosts() {}

  /** Every host: a route without hostnames on a listener without hostname. */
  static final String ANY = "";

  /**
   * @param listener the listener's (normalised) hostname, or null for every host
   * @param route the route's (normalised) hostnames; empty for every host
   * @return the hosts served, in the route's order; {@code [""]} for every host; empty when they do
   *     not intersect
   */
  static List<String> intersect(@Nullable String listener, List<String> route) {
    if (route.isEmpty()) {
      return List.of(listener == null ? ANY : listener);
    }
    if (listener == null) {
      return route;
    }
    List<String> out = new ArrayList<>();
    for (String r : route) {
      String h = intersect(listener, r);
      if (h != null && !out.contains(h)) {
        out.add(h);
      }
    }
    return out;
  }

  /** The more specific of the two when one covers the other, else null. */
  static @Nullable String intersect(String listener, String route) {
    if (listener.equals(route)) {
      return route;
    }
    if (covers(listener, route)) {
      return route;
    }
    if (covers(route, listener)) {
      return listener;
    }
    return null;
  }

  /** Whether wildcard {@code pattern} covers {@code host} (a name, or a narrower wildcard). */
  static boolean covers(String pattern, String host) {
    if (!pattern.startsWith("*.")) {
      return false;
    }
    String suffix = pattern.substring(1); // ".example.com"
    String name = host.startsWith("*.") ? host.substring(2) : host;
    return name.endsWith(suffix) && name.length() > suffix.length();
  }
}
