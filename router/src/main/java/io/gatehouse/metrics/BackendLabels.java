package io.gatehouse.metrics;

import io.gatehouse.endpoint.EndpointsKey;

/** The {@code backend} label of an endpoints key, derived once per key. */
final class BackendLabels {
  /** Requests no backend served: the default backend (built-in page or the operator's upstream). */
  static final String DEFAULT = "default";

  private BackendLabels() {}

  /**
   * {@code namespace/service:port} for a Kubernetes Service port, {@code tenant/name} for a named
   * backend, {@code tenant/source/route#n} for a route's own endpoints (its n-th backend). The
   * compiler's variants of one key share a label.
   */
  static String of(EndpointsKey key) {
    if (key instanceof EndpointsKey.Service s) {
      String port = s.portName() != null ? s.portName() : Integer.toString(s.port());
      return s.namespace() + "/" + s.service() + ":" + port;
    }
    if (key instanceof EndpointsKey.Named n) {
      return n.backend().toString();
    }
    EndpointsKey.Inline i = (EndpointsKey.Inline) key; // the interface is sealed: the last kind
    return i.route() + "#" + i.backend();
  }
}
