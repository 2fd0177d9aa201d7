package io.gatehouse.table;

import io.gatehouse.model.BackendObject;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.TokenSpec;

/** What the table holds; each kind maps to one model record. */
public enum EntryKind {
  ROUTE(RouteSpec.class),
  CERTIFICATE(CertificateSpec.class),
  TENANT(TenantSpec.class),
  HOST_CLAIM(HostClaim.class),
  TOKEN(TokenSpec.class),
  BACKEND(BackendObject.class),
  LISTENER(ListenerSpec.class);

  private final Class<?> type;

  EntryKind(Class<?> type) {
    this.type = type;
  }

  public Class<?> type() {
    return type;
  }
}
