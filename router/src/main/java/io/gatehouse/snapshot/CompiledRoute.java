package io.gatehouse.snapshot;

import io.gatehouse.model.RouteSpec;

/**
 * A route ready to serve: its spec, a stable id for logs and metrics, and the index of its backend
 * in {@link RouteSnapshot#backends()}.
 *
 * <p>The endpoints are not part of the compiled route: an endpoint-only change rewrites the backend
 * at {@code backendIndex} and keeps this object, so {@code spec().backend()} may name older
 * endpoints. Read the backend through {@code snapshot.backends().get(backendIndex())}.
 */
public record CompiledRoute(RouteSpec spec, String id, int backendIndex) {}
