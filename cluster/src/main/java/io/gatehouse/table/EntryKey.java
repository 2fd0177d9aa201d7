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
import java.util.Objects;

/**
 * The table-wide identity of an entry: its kind and a canonical id. Routes and certificates keep
 * their tenant in the id, so two tenants' objects never share a key.
 */
public record EntryKey(EntryKind kind, String id) implements Comparable<EntryKey> {
  public EntryKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
  }

  public static EntryKey route(RouteKey key) {
    return new EntryKey(EntryKind.ROUTE, key.tenant() + "/" + key.source() + "/" + key.name());
  }

  public static EntryKey certificate(CertificateKey key) {
    return new EntryKey(EntryKind.CERTIFICATE, key.tenant() + "/" + key.name());
  }

  public static EntryKey tenant(TenantId id) {
    return new EntryKey(EntryKind.TENANT, id.value());
  }

  /** {@code host} is the validated form: lower case, {@code *.} for a wildcard domain. */
  public static EntryKey hostClaim(String host) {
    return new EntryKey(EntryKind.HOST_CLAIM, host);
  }

  public static EntryKey token(String id) {
    return new EntryKey(EntryKind.TOKEN, id);
  }

  /** A named backend: one per tenant and name, whichever source owns it. */
  public static EntryKey backend(BackendKey key) {
    return new EntryKey(EntryKind.BACKEND, key.tenant() + "/" + key.name());
  }

  /** A listener socket: {@code tenant/source/name}, as a route's id. */
  public static EntryKey listener(ListenerKey key) {
    return new EntryKey(EntryKind.LISTENER, key.tenant() + "/" + key.source() + "/" + key.name());
  }

  /** The key under which {@code value} (one of the {@link EntryKind} records) is stored. */
  public static EntryKey of(Object value) {
    if (value instanceof RouteSpec r) {
      return route(r.key());
    }
    if (value instanceof CertificateSpec c) {
      return certificate(c.key());
    }
    if (value instanceof TenantSpec t) {
      return tenant(t.id());
    }
    if (value instanceof HostClaim h) {
      return hostClaim(h.host());
    }
    if (value instanceof TokenSpec t) {
      return token(t.id());
    }
    if (value instanceof BackendObject b) {
      return backend(b.key());
    }
    if (value instanceof ListenerSpec l) {
      return listener(l.key());
    }
    throw new IllegalArgumentException("not a table entry: " + value.getClass().getName());
  }

  /** The form used by stores: {@code ROUTE:tenant/source/name}. */
  public String encoded() {
    return kind.name() + ":" + id;
  }

  public static EntryKey decode(String encoded) {
    int colon = encoded.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("not an entry key: " + encoded);
    }
    return new EntryKey(
        EntryKind.valueOf(encoded.substring(0, colon)), encoded.substring(colon + 1));
  }

  @Override
  public int compareTo(EntryKey o) {
    int c = kind.compareTo(o.kind);
    return c != 0 ? c : id.compareTo(o.id);
  }

  @Override
  public String toString() {
    return encoded();
  }
}
