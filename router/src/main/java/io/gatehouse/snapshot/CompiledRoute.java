package io.gatehouse.snapshot;

import io.gatehouse.model.RouteSpec;

/**
 * A route ready to serve: its spec, a stable id for logs and metrics, and the index of its backend
 * in {@link RouteSnapshot#backends()}.
 */
public record CompiledRoute(RouteSpec spec, String id, int backendIndex) {}
