package io.gatehouse.model;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An API token as stored: only the hash of its secret, never the secret.
 *
 * @param tenant the tenant the token acts for, or null for an admin token
 * @param secretHash hex SHA-256 of the secret
 */
public record TokenSpec(
    String id,
    @Nullable TenantId tenant,
    String secretHash,
    long createdEpochMillis,
    String description) {
  public TokenSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secretHash, "secretHash");
    description = description == null ? "" : description;
  }

  public boolean admin() {
    return tenant == null;
  }

  @Override
  public String toString() {
    return "TokenSpec[id=" + id + ", tenant=" + tenant + ", admin=" + admin() + "]";
  }
}
