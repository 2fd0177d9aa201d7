package io.gatehouse.table;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.TokenSpec;
import java.util.Map;

/**
 * An immutable view of the whole table at one generation: live entries only, by kind, plus the
 * revision of every live entry (an entry's ETag).
 */
public record TableView(
    long generation,
    Map<RouteKey, RouteSpec> routes,
    Map<CertificateKey, CertificateSpec> certificates,
    Map<TenantId, TenantSpec> tenants,
    Map<String, HostClaim> hostClaims,
    Map<String, TokenSpec> tokens,
    Map<EntryKey, Long> revisions) {
  public static final TableView EMPTY = new TableView(0, Map.of());

  public TableView {
    routes = Map.copyOf(routes);
    certificates = Map.copyOf(certificates);
    tenants = Map.copyOf(tenants);
    hostClaims = Map.copyOf(hostClaims);
    tokens = Map.copyOf(tokens);
    revisions = Map.copyOf(revisions);
  }

  /** A view of routes only (tests, and sources that know nothing else). */
  public TableView(long generation, Map<RouteKey, RouteSpec> routes) {
    this(generation, routes, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
  }

  /** The revision of a live entry, or 0 when there is none. */
  public long revision(EntryKey key) {
    Long r = revisions.get(key);
    return r == null ? 0 : r;
  }
}
