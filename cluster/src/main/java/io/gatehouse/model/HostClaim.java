package io.gatehouse.model;

import java.util.Objects;

/**
 * A tenant's claim on a host name or a wildcard domain ({@code *.example.com}). One claim per name:
 * the table refuses a second claim on the same name, so two tenants can never own one host.
 */
public record HostClaim(String host, TenantId tenant) {
  public HostClaim {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tenant, "tenant");
  }
}
