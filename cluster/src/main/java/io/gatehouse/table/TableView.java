package io.gatehouse.table;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.TokenSpec;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.pcollections.PMap;

/**
 * An immutable view of the whole table at one generation: live entries only, by kind, plus the
 * revision of every live entry (an entry's ETag).
 *
 * <p>Views made by a {@link TableState} hold persistent maps that share every unchanged entry with
 * the previous view, so making one costs O(changes), and they know which keys changed between them
 * ({@link #changesSince}), so consumers need not diff two whole views.
 */
public record TableView(
    long generation,
    Map<RouteKey, RouteSpec> routes,
    Map<CertificateKey, CertificateSpec> certificates,
    Map<TenantId, TenantSpec> tenants,
    Map<String, HostClaim> hostClaims,
    Map<String, TokenSpec> tokens,
    Map<BackendKey, BackendObject> backends,
    Map<ListenerKey, ListenerSpec> listeners,
    Map<EntryKey, Long> revisions,
    Stamp stamp) {
  public static final TableView EMPTY = new TableView(0, Map.of());

  /** Where a view sits in its table state's change log; {@code log} is null outside one. */
  public record Stamp(@Nullable ChangeLog log, long seq) {
    static final Stamp NONE = new Stamp(null, 0);
  }

  public TableView {
    routes = immutable(routes);
    certificates = immutable(certificates);
    tenants = immutable(tenants);
    hostClaims = immutable(hostClaims);
    tokens = immutable(tokens);
    backends = immutable(backends);
    listeners = immutable(listeners);
    revisions = immutable(revisions);
    stamp = stamp == null ? Stamp.NONE : stamp;
  }

  /** A view outside any table state (tests, sources): compared with others by value only. */
  public TableView(
      long generation,
      Map<RouteKey, RouteSpec> routes,
      Map<CertificateKey, CertificateSpec> certificates,
      Map<TenantId, TenantSpec> tenants,
      Map<String, HostClaim> hostClaims,
      Map<String, TokenSpec> tokens,
      Map<EntryKey, Long> revisions) {
    this(generation, routes, certificates, tenants, hostClaims, tokens, Map.of(), revisions);
  }

  /** A view without listeners (every view before issue #17's listeners). */
  public TableView(
      long generation,
      Map<RouteKey, RouteSpec> routes,
      Map<CertificateKey, CertificateSpec> certificates,
      Map<TenantId, TenantSpec> tenants,
      Map<String, HostClaim> hostClaims,
      Map<String, TokenSpec> tokens,
      Map<BackendKey, BackendObject> backends,
      Map<EntryKey, Long> revisions,
      Stamp stamp) {
    this(
        generation,
        routes,
        certificates,
        tenants,
        hostClaims,
        tokens,
        backends,
        Map.of(),
        revisions,
        stamp);
  }

  /** A view with named backends outside any table state (tests, sources). */
  public TableView(
      long generation,
      Map<RouteKey, RouteSpec> routes,
      Map<CertificateKey, CertificateSpec> certificates,
      Map<TenantId, TenantSpec> tenants,
      Map<String, HostClaim> hostClaims,
      Map<String, TokenSpec> tokens,
      Map<BackendKey, BackendObject> backends,
      Map<EntryKey, Long> revisions) {
    this(
        generation,
        routes,
        certificates,
        tenants,
        hostClaims,
        tokens,
        backends,
        revisions,
        Stamp.NONE);
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

  /**
   * The keys that may differ between {@code older} and this view, or null when the table cannot say
   * (the views come from different table states, a reload lies between them, {@code older} is
   * newer, or the change log no longer holds the way between them): the caller then compares the
   * two views in full.
   */
  public @Nullable TableDelta changesSince(TableView older) {
    if (older == this) {
      return TableDelta.NONE;
    }
    ChangeLog log = stamp.log();
    if (log == null || older.stamp.log() != log) {
      return null;
    }
    return log.between(older.stamp.seq(), stamp.seq());
  }

  private static <K, V> Map<K, V> immutable(Map<K, V> map) {
    return map instanceof PMap<K, V> ? map : Map.copyOf(map);
  }
}
