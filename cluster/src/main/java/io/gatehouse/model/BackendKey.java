package io.gatehouse.model;

import java.util.Objects;

/** Identity of a named backend: its tenant and its name within that tenant. */
public record BackendKey(TenantId tenant, String name) {
  public BackendKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String toString() {
    return tenant + "/" + name;
  }
}
