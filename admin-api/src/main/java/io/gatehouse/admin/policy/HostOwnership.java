package io.gatehouse.admin.policy;

import io.gatehouse.model.HostClaim;
import io.gatehouse.model.TenantId;
import io.gatehouse.validate.Hostnames;
import java.util.Map;
import java.util.Optional;

/**
 * Who owns a host, given every claim. An exact claim wins; otherwise a wildcard claim {@code
 * *.example.com} covers exactly one more label ({@code a.example.com}, not {@code a.b.example.com}
 * nor {@code example.com}). A wildcard claim therefore never overrides another tenant's exact
 * claim.
 */
public final class HostOwnership {
  private HostOwnership() {}

  /** The tenant that may route {@code host} (normalised; exact or wildcard), if any. */
  public static Optional<TenantId> owner(Map<String, HostClaim> claims, String host) {
    HostClaim exact = claims.get(host);
    if (exact != null) {
      return Optional.of(exact.tenant());
    }
    if (host.startsWith("*.")) {
      return Optional.empty();
    }
    String suffix = Hostnames.wildcardSuffix(host);
    if (suffix == null) {
      return Optional.empty();
    }
    HostClaim wildcard = claims.get("*." + suffix);
    return wildcard == null ? Optional.empty() : Optional.of(wildcard.tenant());
  }

  /**
   * The tenant whose claim stops {@code tenant} from claiming {@code host}: the holder of the same
   * name, or, for an exact host, the holder of the wildcard covering it.
   */
  public static Optional<TenantId> blocker(
      Map<String, HostClaim> claims, TenantId tenant, String host) {
    HostClaim same = claims.get(host);
    if (same != null) {
      return same.tenant().equals(tenant) ? Optional.empty() : Optional.of(same.tenant());
    }
    if (!host.startsWith("*.")) {
      String suffix = Hostnames.wildcardSuffix(host);
      HostClaim wildcard = suffix == null ? null : claims.get("*." + suffix);
      if (wildcard != null && !wildcard.tenant().equals(tenant)) {
        return Optional.of(wildcard.tenant());
      }
    }
    return Optional.empty();
  }
}
