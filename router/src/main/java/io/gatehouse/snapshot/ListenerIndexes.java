package io.gatehouse.snapshot;

import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerSpec;
import java.util.Arrays;
import java.util.Map;

/**
 * What a snapshot knows of the Gateway listeners: the table's listeners, one host index per
 * listener its routes name, and the slot each listener's sockets pass with every request (0 is the
 * node's own listeners). Slots are stable for the compiler's life, so a socket bound for one
 * snapshot reads the right index in the next. Immutable.
 *
 * @param hosts the routes of each listener, by host; a listener without routes has none
 * @param specs the listeners the table holds
 * @param slots a slot (1 and up) for every listener of {@code specs}, and perhaps for older ones
 */
record ListenerIndexes(
    Map<ListenerKey, HostIndex> hosts,
    Map<ListenerKey, ListenerSpec> specs,
    Map<ListenerKey, Integer> slots) {
  static final ListenerIndexes NONE = new ListenerIndexes(Map.of(), Map.of(), Map.of());

  ListenerIndexes {
    hosts = Map.copyOf(hosts);
    specs = Map.copyOf(specs);
    slots = Map.copyOf(slots);
  }

  /** The index per slot: {@code own} at 0, an empty index for a listener without routes. */
  HostIndex[] bySlot(HostIndex own) {
    int size = 1;
    for (int s : slots.values()) {
      size = Math.max(size, s + 1);
    }
    HostIndex[] out = new HostIndex[size];
    Arrays.fill(out, HostIndex.EMPTY);
    out[0] = own;
    for (Map.Entry<ListenerKey, Integer> e : slots.entrySet()) {
      HostIndex h = hosts.get(e.getKey());
      // a listener the table no longer holds serves nothing, even on a socket still draining
      out[e.getValue()] = h != null && specs.containsKey(e.getKey()) ? h : HostIndex.EMPTY;
    }
    return out;
  }
}
