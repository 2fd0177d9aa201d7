package io.gatehouse.model.policy;

import java.util.List;

/**
 * Which client addresses may use a route (ingress-nginx {@code whitelist-source-range} and {@code
 * denylist-source-range}). The address is the one client address every access rule uses: the
 * connection's peer, the PROXY protocol's source, or the {@code X-Forwarded-For} client when the
 * peer is a trusted proxy. A request is refused with 403 when its address is in {@code deny}, or
 * when {@code allow} is not empty and its address is in none of it; deny wins.
 *
 * @param allow CIDRs (IPv4 or IPv6; a bare address is a /32 or /128); empty allows every address
 *     not denied
 * @param deny CIDRs refused whatever {@code allow} says
 */
public record IpAccess(List<String> allow, List<String> deny) implements PolicySpec {
  public IpAccess {
    allow = allow == null ? List.of() : List.copyOf(allow);
    deny = deny == null ? List.of() : List.copyOf(deny);
  }
}
