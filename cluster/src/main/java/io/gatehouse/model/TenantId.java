package io.gatehouse.model;

import java.util.Objects;

/** A tenant's identifier; its format is checked by {@code io.gatehouse.validate.RouteValidator}. */
public record TenantId(String value) implements Comparable<TenantId> {
  public TenantId {
    Objects.requireNonNull(value, "value");
  }

  public static TenantId of(String value) {
    return new TenantId(value);
  }

  @Override
  public int compareTo(TenantId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
