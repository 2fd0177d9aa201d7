package io.gatehouse.admin.auth;

import io.gatehouse.model.TenantId;
import org.jspecify.annotations.Nullable;

/**
 * Who sent a request: the token's id (safe to log) and the tenant it acts for, null for an admin.
 */
public record Caller(String tokenId, @Nullable TenantId tenant) {
  public boolean admin() {
    return tenant == null;
  }

  /** Whether this caller may act on {@code target}'s objects. */
  public boolean actsFor(TenantId target) {
    return tenant == null || tenant.equals(target); // null: an admin
  }
}
