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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The mutable state a table implementation keeps behind its views: every entry (tombstones
 * included) and the live maps by kind. Not thread-safe; the owner serialises access. The live maps
 * are persistent, so a view shares all unchanged entries with the last one and costs O(changes);
 * each view's changed keys go to the {@link ChangeLog} its views share.
 */
public final class TableState {
  private final Map<EntryKey, Versioned> entries = new HashMap<>();
  private PMap<RouteKey, RouteSpec> routes = HashTreePMap.empty();
  private PMap<CertificateKey, CertificateSpec> certificates = HashTreePMap.empty();
  private PMap<TenantId, TenantSpec> tenants = HashTreePMap.empty();
  private PMap<String, HostClaim> hostClaims = HashTreePMap.empty();
  private PMap<String, TokenSpec> tokens = HashTreePMap.empty();
  private PMap<BackendKey, BackendObject> backends = HashTreePMap.empty();
  private PMap<ListenerKey, ListenerSpec> listeners = HashTreePMap.empty();
  private PMap<EntryKey, Long> revisions = HashTreePMap.empty();
  // Keys changed since the last view; null after a clear (the next view starts a new log).
  private @Nullable Set<Object> changed = new HashSet<>();
  private ChangeLog log = new ChangeLog();
  private long seq;
  private TableView last = TableView.EMPTY;
  private long generation;

  public @Nullable Versioned get(EntryKey key) {
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
        case ROUTE -> {
          RouteKey k = ((RouteSpec) record).key();
          routes = putOrRemove(routes, k, (RouteSpec) value);
          noteChanged(k);
        }
        case CERTIFICATE -> {
          CertificateKey k = ((CertificateSpec) record).key();
          certificates = putOrRemove(certificates, k, (CertificateSpec) value);
          noteChanged(k);
        }
        case TENANT -> {
          TenantId k = ((TenantSpec) record).id();
          tenants = putOrRemove(tenants, k, (TenantSpec) value);
          noteChanged(k);
        }
        case HOST_CLAIM -> {
          hostClaims = putOrRemove(hostClaims, key.id(), (HostClaim) value);
          noteChanged(key);
        }
        case TOKEN -> {
          tokens = putOrRemove(tokens, key.id(), (TokenSpec) value);
          noteChanged(key);
        }
        case BACKEND -> {
          BackendKey k = ((BackendObject) record).key();
          backends = putOrRemove(backends, k, (BackendObject) value);
          noteChanged(k);
        }
        case LISTENER -> {
          ListenerKey k = ((ListenerSpec) record).key();
          listeners = putOrRemove(listeners, k, (ListenerSpec) value);
          noteChanged(k);
        }
      }
    }
    revisions = v.deleted() ? revisions.minus(key) : revisions.plus(key, v.revision());
    return true;
  }

  /**
   * Forgets everything (before a full reload); views after it are not compared by key with older
   * ones.
   */
  public void clear() {
    entries.clear();
    routes = HashTreePMap.empty();
    certificates = HashTreePMap.empty();
    tenants = HashTreePMap.empty();
    hostClaims = HashTreePMap.empty();
    tokens = HashTreePMap.empty();
    backends = HashTreePMap.empty();
    listeners = HashTreePMap.empty();
    revisions = HashTreePMap.empty();
    changed = null;
  }

  /** An immutable view at the current generation, sharing unchanged entries with the last one. */
  public TableView view() {
    boolean same =
        changed != null
            && changed.isEmpty()
            && last.generation() == generation
            && last.revisions() == revisions;
    if (same) {
      return last;
    }
    if (changed == null) {
      log = new ChangeLog();
      seq = 0;
    } else {
      log.append(++seq, changed);
    }
    changed = new HashSet<>();
    TableView v =
        new TableView(
            generation,
            routes,
            certificates,
            tenants,
            hostClaims,
            tokens,
            backends,
            listeners,
            revisions,
            new TableView.Stamp(log, seq));
    last = v;
    return v;
  }

  private void noteChanged(Object key) {
    if (changed != null && changed.size() <= ChangeLog.MAX_KEYS) {
      changed.add(key);
    }
  }

  private static <K, V> PMap<K, V> putOrRemove(PMap<K, V> map, K key, @Nullable V value) {
    return value == null ? map.minus(key) : map.plus(key, value);
  }
}
