package io.gatehouse.snapshot;

import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What a snapshot knows of the Gateway listeners: the table's listeners, one host index and one set
 * of passthrough names per listener its routes name, and the slot each listener's sockets pass with
 * every request and connection (0 is the node's own listeners). Slots are stable for the compiler's
 * life, so a socket bound for one snapshot reads the right index in the next. Immutable.
 *
 * @param hosts the routes of each listener, by host; a listener without routes has none
 * @param specs the listeners the table holds
 * @param slots a slot (1 and up) for every listener of {@code specs}, and perhaps for older ones
 * @param passthrough the TLS passthrough routes of each listener, by SNI name; none without
 */
record ListenerIndexes(
    Map<ListenerKey, HostIndex> hosts,
    Map<ListenerKey, ListenerSpec> specs,
    Map<ListenerKey, Integer> slots,
    Map<ListenerKey, PassthroughHosts> passthrough) {
  static final ListenerIndexes NONE = new ListenerIndexes(Map.of(), Map.of(), Map.of(), Map.of());

  ListenerIndexes {
    hosts = Map.copyOf(hosts);
    specs = Map.copyOf(specs);
    slots = Map.copyOf(slots);
    passthrough = Map.copyOf(passthrough);
  }

  /** The index per slot: {@code own} at 0, an empty index for a listener without routes. */
  HostIndex[] bySlot(HostIndex own) {
    return bySlot(own, hosts, HostIndex.EMPTY, HostIndex[]::new);
  }

  /** The passthrough names per slot: {@code own} at 0, none for a listener without such routes. */
  PassthroughHosts[] passthroughBySlot(PassthroughHosts own) {
    return bySlot(own, passthrough, PassthroughHosts.NONE, PassthroughHosts[]::new);
  }

  /** The listener hostnames per slot (421): none for the node's own and single-listener sockets. */
  ListenerHostnames[] hostnamesBySlot() {
    Map<ListenerKey, ListenerHostnames> names = new java.util.HashMap<>();
    specs.forEach(
        (k, spec) -> {
          if (!spec.hostnames().isEmpty()) {
            names.put(k, new ListenerHostnames(spec.hostnames()));
          }
        });
    return bySlot(ListenerHostnames.NONE, names, ListenerHostnames.NONE, ListenerHostnames[]::new);
  }

  private <T> T[] bySlot(T own, Map<ListenerKey, T> byListener, T none, IntFunction<T[]> array) {
    int size = 1;
    for (int s : slots.values()) {
      size = Math.max(size, s + 1);
    }
    T[] out = array.apply(size);
    Arrays.fill(out, none);
    out[0] = own;
    for (Map.Entry<ListenerKey, Integer> e : slots.entrySet()) {
      T h = byListener.get(e.getKey());
      // a listener the table no longer holds serves nothing, even on a socket still draining
      out[e.getValue()] = h != null && specs.containsKey(e.getKey()) ? h : none;
    }
    return out;
  }
}
