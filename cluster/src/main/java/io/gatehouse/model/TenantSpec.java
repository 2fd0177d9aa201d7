package io.gatehouse.model;

import java.util.Objects;

/** A tenant: the owner of host claims, routes, certificates and tokens. */
public record TenantSpec(TenantId id, String displayName) {
  public TenantSpec {
    Objects.requireNonNull(id, "id");
    displayName = displayName == null ? "" : displayName;
  }
}
