package io.gatehouse.snapshot;

import io.gatehouse.model.RouteSpec;

/**
 * A route ready to serve: its spec, a stable id for logs and metrics, the index of its backend in
 * {@link RouteSnapshot#backends()}, and its client-certificate check (null when it asks for none).
 *
 * <p>The endpoints are not part of the compiled route: an endpoint-only change rewrites the backend
 * at {@code backendIndex} and keeps this object, so {@code spec().backend()} may name older
 * endpoints. Read the backend through {@code snapshot.backends().get(backendIndex())}. Everything
 * else in the spec (its TLS and client-certificate settings, the backend's protocol and upstream
 * TLS setting) is current: a change to any of it compiles the route again.
 */
public record CompiledRoute(
    RouteSpec spec, String id, int backendIndex, ClientCertificateCheck clientCertificates) {
  public CompiledRoute(RouteSpec spec, String id, int backendIndex) {
    this(spec, id, backendIndex, null);
  }
}
