package io.gatehouse.snapshot;

import io.gatehouse.model.RouteKey;

/** A route the compiler could not use as written, and why; the rest of the snapshot still ships. */
public record RouteProblem(RouteKey key, String message) {}
