package io.gatehouse.model;

import java.util.List;
import java.util.Objects;

/** Where a route sends its traffic: weighted endpoints spoken to with one protocol. */
public record BackendSpec(UpstreamProtocol protocol, List<Endpoint> endpoints) {
  public BackendSpec {
    Objects.requireNonNull(protocol, "protocol");
    endpoints = List.copyOf(endpoints);
  }

  public static BackendSpec http1(List<Endpoint> endpoints) {
    return new BackendSpec(UpstreamProtocol.HTTP1, endpoints);
  }
}
