package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.gateway.GatewayObjects.Gateway;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Gives each Gateway of ours its own address from the pool. Pure: it reads the Gateways alone
 * (their {@code spec.addresses} and the address their status already records), so every replica
 * computes the same. The rule, oldest Gateway first (creationTimestamp, then namespace/name):
 *
 * <ol>
 *   <li>a Gateway keeps the pool address its {@code status.addresses} records, while it still wants
 *       it (it asks for none, or for that one); of two recording one address, the older keeps it;
 *   <li>a Gateway asking for an address ({@code spec.addresses}: one {@code IPAddress} in the pool)
 *       gets it unless another holds it ({@code AddressNotUsable}, as for an address outside the
 *       pool or a second one; a type other than {@code IPAddress} is {@code UnsupportedAddress});
 *   <li>every other Gateway takes the lowest free address ({@code AddressNotAssigned} when none is
 *       left).
 * </ol>
 *
 * <p>Why the status counts: creation order alone would move every younger Gateway to the next lower
 * address when an older one is deleted, while clients and DNS still use the address its status
 * published. Kept, a live Gateway's address never changes; a deleted Gateway's address is free for
 * the next one.
 */
final class GatewayAddresses {
  private GatewayAddresses() {}

  enum Outcome {
    /** {@code address} is the Gateway's. */
    ASSIGNED,
    /**
     * {@code spec.addresses} names a type Gatehouse does not serve: the Gateway is not accepted.
     */
    UNSUPPORTED,
    /**
     * The address asked for is another Gateway's, outside the pool, or one of several: the Gateway
     * is not programmed.
     */
    NOT_USABLE,
    /** The pool has no free address left: the Gateway is not programmed. */
    EXHAUSTED
  }

  /**
   * @param address the Gateway's address (canonical form) when {@code ASSIGNED}
   * @param detail for the condition's message: what was asked and why it is refused
   */
  record Assignment(Outcome outcome, @Nullable String address, String detail) {}

  private static final Comparator<@Nullable OffsetDateTime> NULLS_LAST =
      Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder());

  static final Comparator<Gateway> OLDEST_FIRST =
      Comparator.comparing((Gateway g) -> g.meta().created(), NULLS_LAST)
          .thenComparing(g -> g.meta().namespace())
          .thenComparing(g -> g.meta().name());

  /** Each Gateway's assignment, by {@code namespace/name}. */
  static Map<String, Assignment> assign(GatewayAddressPool pool, Collection<Gateway> gateways) {
    List<Gateway> sorted = new ArrayList<>(gateways);
    sorted.sort(OLDEST_FIRST);
    Map<String, Assignment> out = new LinkedHashMap<>();
    Map<String, String> asked = new HashMap<>();
    for (Gateway g : sorted) {
      Assignment refused = request(pool, g, asked);
      if (refused != null) {
        out.put(g.meta().path(), refused);
      }
    }
    // address to the Gateway holding it
    Map<String, String> used = new HashMap<>();
    for (Gateway g : sorted) {
      String path = g.meta().path();
      if (out.containsKey(path)) {
        continue;
      }
      String want = asked.get(path);
      for (String h : g.held()) {
        String a = pool.member(h);
        if (a != null && (want == null || want.equals(a)) && !used.containsKey(a)) {
          used.put(a, path);
          out.put(path, new Assignment(Outcome.ASSIGNED, a, "held"));
          break;
        }
      }
    }
    for (Gateway g : sorted) {
      String path = g.meta().path();
      String want = asked.get(path);
      if (out.containsKey(path) || want == null) {
        continue;
      }
      String holder = used.putIfAbsent(want, path);
      out.put(
          path,
          holder == null
              ? new Assignment(Outcome.ASSIGNED, want, "asked for")
              : new Assignment(
                  Outcome.NOT_USABLE,
                  null,
                  "spec.addresses: " + want + " is the address of Gateway " + holder));
    }
    for (Gateway g : sorted) {
      String path = g.meta().path();
      if (out.containsKey(path)) {
        continue;
      }
      String free = pool.lowestFree(used.keySet());
      if (free == null) {
        out.put(
            path,
            new Assignment(
                Outcome.EXHAUSTED,
                null,
                "every address of the pool " + pool + " is another Gateway's"));
      } else {
        used.put(free, path);
        out.put(path, new Assignment(Outcome.ASSIGNED, free, "assigned"));
      }
    }
    return out;
  }

  /**
   * Reads {@code spec.addresses} into {@code asked} (the one address asked for, or no entry for
   * none); returns why they cannot be served, or null. An address type other than {@code IPAddress}
   * is not supported (the Gateway is not accepted); an {@code IPAddress} without a value asks for
   * any address (GEP-3130: the implementation picks one); an IP address outside the pool, or a
   * second one, is supported but cannot be served (the Gateway is accepted, not programmed), since
   * the nodes bind only the pool's addresses and a Gateway has one socket per port.
   */
  private static @Nullable Assignment request(
      GatewayAddressPool pool, Gateway g, Map<String, String> asked) {
    List<String> unsupported = new ArrayList<>();
    List<String> outside = new ArrayList<>();
    List<String> members = new ArrayList<>();
    for (Map<String, Object> a : g.addresses()) {
      String type = GatewayObjects.orDefault(GatewayObjects.str(a.get("type")), "IPAddress");
      String value = Objects.requireNonNullElse(GatewayObjects.str(a.get("value")), "");
      if (!type.equals("IPAddress")) {
        unsupported.add(type + " " + value);
      } else if (value.isEmpty()) {
        continue; // any address: as if none were asked for
      } else if (GatewayAddressPool.canonical(value) == null) {
        unsupported.add(value);
      } else {
        String member = pool.member(value);
        if (member == null) {
          outside.add(value);
        } else if (!members.contains(member)) {
          members.add(member);
        }
      }
    }
    String expected = " (expected: at most one IPAddress, in the pool " + pool + ")";
    if (!unsupported.isEmpty()) {
      return new Assignment(Outcome.UNSUPPORTED, null, "spec.addresses: " + unsupported + expected);
    }
    if (!outside.isEmpty()) {
      return new Assignment(
          Outcome.NOT_USABLE, null, "spec.addresses: " + outside + " outside the pool" + expected);
    }
    if (members.size() > 1) {
      return new Assignment(
          Outcome.NOT_USABLE, null, "spec.addresses: " + members + ", more than one" + expected);
    }
    if (members.size() == 1) {
      asked.put(g.meta().path(), members.get(0));
    }
    return null;
  }
}
