package io.gatehouse.snapshot;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hostnames of the Gateway listeners that share one HTTPS socket, and which of them a name
 * belongs to: the exact hostname, else the wildcard with the longest suffix ({@code *.example.com}
 * covers any number of labels before {@code .example.com}), else the listener without a hostname. A
 * request whose Host belongs to another listener than its connection's SNI name is misdirected
 * (Gateway API {@code GatewayHTTPSListenerDetectMisdirectedRequests}). Immutable; {@link
 * #listenerOf} allocates nothing.
 */
public final class ListenerHostnames {
  public static final ListenerHostnames NONE = new ListenerHostnames(List.of());

  private final Map<String, Integer> exact = new HashMap<>();

  /** {@code .example.com} for {@code *.example.com}, longest first, with their listeners. */
  private final String[] suffixes;

  private final int[] suffixListeners;
  private final int catchAll;

  /**
   * @param hostnames one per listener, in the socket's order: {@code ""} for a listener without a
   *     hostname, a name, or {@code *.suffix}; lower case
   */
  public ListenerHostnames(List<String> hostnames) {
    int all = -1;
    List<Integer> wild = new java.util.ArrayList<>();
    for (int i = 0; i < hostnames.size(); i++) {
      String h = hostnames.get(i);
      if (h.isEmpty()) {
        all = all < 0 ? i : all;
      } else if (h.startsWith("*.")) {
        wild.add(i);
      } else {
        exact.putIfAbsent(h, i);
      }
    }
    wild.sort((a, b) -> hostnames.get(b).length() - hostnames.get(a).length());
    suffixes = new String[wild.size()];
    suffixListeners = new int[wild.size()];
    for (int i = 0; i < wild.size(); i++) {
      suffixes[i] = hostnames.get(wild.get(i)).substring(1);
      suffixListeners[i] = wild.get(i);
    }
    catchAll = all;
  }

  /** Whether the socket has fewer than two listeners to tell apart. */
  public boolean isEmpty() {
    return exact.isEmpty() && suffixes.length == 0;
  }

  /** The listener {@code name} (lower case, no port or trailing dot) belongs to; -1 for none. */
  public int listenerOf(String name) {
    Integer e = exact.get(name);
    if (e != null) {
      return e;
    }
    for (int i = 0; i < suffixes.length; i++) {
      if (name.length() > suffixes[i].length() && name.endsWith(suffixes[i])) {
        return suffixListeners[i];
      }
    }
    return catchAll;
  }
}
