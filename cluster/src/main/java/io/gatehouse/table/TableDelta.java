package io.gatehouse.table;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TenantId;
import java.util.Set;

/**
 * The live entries whose value may differ between two views of one table: every key written in
 * between, by kind (a key written and written back is listed too). Consumers compare the two views'
 * values for these keys only, so the cost follows the change, not the table's size.
 */
public record TableDelta(
    Set<RouteKey> routes,
    Set<CertificateKey> certificates,
    Set<TenantId> tenants,
    Set<String> hostClaims,
    Set<String> tokens,
    Set<BackendKey> backends,
    Set<ListenerKey> listeners) {
  public static final TableDelta NONE =
      new TableDelta(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of());

  public TableDelta {
    routes = Set.copyOf(routes);
    certificates = Set.copyOf(certificates);
    tenants = Set.copyOf(tenants);
    hostClaims = Set.copyOf(hostClaims);
    tokens = Set.copyOf(tokens);
    backends = Set.copyOf(backends);
    listeners = Set.copyOf(listeners);
  }

  /** A delta without listeners. */
  public TableDelta(
      Set<RouteKey> routes,
      Set<CertificateKey> certificates,
      Set<TenantId> tenants,
      Set<String> hostClaims,
      Set<String> tokens,
      Set<BackendKey> backends) {
    this(routes, certificates, tenants, hostClaims, tokens, backends, Set.of());
  }

  /** A delta without named backends. */
  public TableDelta(
      Set<RouteKey> routes,
      Set<CertificateKey> certificates,
      Set<TenantId> tenants,
      Set<String> hostClaims,
      Set<String> tokens) {
    this(routes, certificates, tenants, hostClaims, tokens, Set.of());
  }
}
