package io.gatehouse.admin.auth;

import io.gatehouse.model.TenantId;

/**
 * Who sent a request: the token's id (safe to log) and the tenant it acts for, null for an admin.
 */
public record Caller(String tokenId, TenantId tenant) {
  public boolean admin() {
    return tenant == null;
  }

  /** Whether this caller may act on {@code target}'s objects. */
  public boolean actsFor(TenantId target) {
    return admin() || tenant.equals(target);
  }
}
