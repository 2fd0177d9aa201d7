package io.gatehouse.table;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.TokenSpec;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The mutable state a table implementation keeps behind its views: every entry (tombstones
 * included) and the live maps by kind. Not thread-safe; the owner serialises access. A view copies
 * only the kinds that changed since the last one.
 */
public final class TableState {
  private final Map<EntryKey, Versioned> entries = new HashMap<>();
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private final Map<CertificateKey, CertificateSpec> certificates = new HashMap<>();
  private final Map<TenantId, TenantSpec> tenants = new HashMap<>();
  private final Map<String, HostClaim> hostClaims = new HashMap<>();
  private final Map<String, TokenSpec> tokens = new HashMap<>();
  private final Map<EntryKey, Long> revisions = new HashMap<>();
  private final EnumSet<EntryKind> dirty = EnumSet.allOf(EntryKind.class);
  private boolean revisionsDirty = true;
  private TableView last = TableView.EMPTY;
  private long generation;

  public Versioned get(EntryKey key) {
    return entries.get(key);
  }

  public Collection<Versioned> entries() {
    return entries.values();
  }

  public long generation() {
    return generation;
  }

  public void generation(long value) {
    generation = value;
  }

  /** Stores {@code v} if it supersedes the copy held; returns whether anything changed. */
  public boolean apply(Versioned v) {
    Versioned current = entries.get(v.key());
    if (current != null && !v.supersedes(current)) {
      return false;
    }
    entries.put(v.key(), v);
    EntryKey key = v.key();
    Object value = v.value();
    // A tombstone removes the live record the old copy held; the record knows its typed key.
    Object record = value != null ? value : current == null ? null : current.value();
    if (record != null) {
      switch (key.kind()) {
        case ROUTE -> putOrRemove(routes, ((RouteSpec) record).key(), (RouteSpec) value);
        case CERTIFICATE ->
            putOrRemove(certificates, ((CertificateSpec) record).key(), (CertificateSpec) value);
        case TENANT -> putOrRemove(tenants, ((TenantSpec) record).id(), (TenantSpec) value);
        case HOST_CLAIM -> putOrRemove(hostClaims, key.id(), (HostClaim) value);
        case TOKEN -> putOrRemove(tokens, key.id(), (TokenSpec) value);
      }
    }
    if (v.deleted()) {
      revisions.remove(key);
    } else {
      revisions.put(key, v.revision());
    }
    dirty.add(key.kind());
    revisionsDirty = true;
    return true;
  }

  /** Forgets everything (before a full reload). */
  public void clear() {
    entries.clear();
    routes.clear();
    certificates.clear();
    tenants.clear();
    hostClaims.clear();
    tokens.clear();
    revisions.clear();
    dirty.addAll(EnumSet.allOf(EntryKind.class));
    revisionsDirty = true;
  }

  /** An immutable view at the current generation, sharing unchanged maps with the last one. */
  public TableView view() {
    if (dirty.isEmpty() && !revisionsDirty && last.generation() == generation) {
      return last;
    }
    TableView v =
        new TableView(
            generation,
            dirty.contains(EntryKind.ROUTE) ? routes : last.routes(),
            dirty.contains(EntryKind.CERTIFICATE) ? certificates : last.certificates(),
            dirty.contains(EntryKind.TENANT) ? tenants : last.tenants(),
            dirty.contains(EntryKind.HOST_CLAIM) ? hostClaims : last.hostClaims(),
            dirty.contains(EntryKind.TOKEN) ? tokens : last.tokens(),
            revisionsDirty ? revisions : last.revisions());
    dirty.clear();
    revisionsDirty = false;
    last = v;
    return v;
  }

  private static <K, V> void putOrRemove(Map<K, V> map, K key, V value) {
    if (value == null) {
      map.remove(key);
    } else {
      map.put(key, value);
    }
  }
}
