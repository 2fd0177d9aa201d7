package io.gatehouse.model;

import java.util.Objects;

/**
 * A named backend of a tenant (table entry kind {@code BACKEND}): endpoints and how they are spoken
 * to, shared by every route of the tenant that names it ({@link BackendRef.Named}). A change of its
 * endpoints alone recompiles no route; a change of its protocol or upstream TLS recompiles the
 * routes that name it.
 *
 * @param source who owns the object ({@code api} for REST, {@code file}), as a route's key names
 *     its source: one source never overwrites or deletes another's backend
 */
public record BackendObject(BackendKey key, String source, BackendSpec spec) {
  public BackendObject {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(spec, "spec");
  }
}
