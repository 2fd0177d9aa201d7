package io.gatehouse.snapshot;

import io.gatehouse.model.RouteSpec;

/**
 * A route ready to serve: its spec, a stable id for logs and metrics, the index of its backend in
 * {@link RouteSnapshot#backends()}, and its client-certificate check (null when it asks for none).
 */
public record CompiledRoute(
    RouteSpec spec, String id, int backendIndex, ClientCertificateCheck clientCertificates) {
  public CompiledRoute(RouteSpec spec, String id, int backendIndex) {
    this(spec, id, backendIndex, null);
  }
}
