package io.gatehouse.model;

import io.gatehouse.model.backend.BackendPolicy;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a route sends its traffic to. Only the kind that lists its endpoints ({@link BackendSpec})
 * carries them; the other kinds name a backend whose endpoints live in the node-local endpoint
 * index, so an endpoint change never rewrites the route. How the endpoints are spoken to (protocol,
 * TLS) stays with the reference or the named backend, so it still changes only by a compile.
 */
public sealed interface BackendRef permits BackendSpec, BackendRef.Named, BackendRef.ServicePort {

  /** A backend object of the route's own tenant, shared by the routes that name it. */
  record Named(String name) implements BackendRef {
    public Named {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * A port of a Kubernetes Service in the route's own namespace; the translator resolves the port
   * number, so the reference never changes when only endpoints do.
   *
   * @param portName the Service port's name when the source named it, else null
   * @param tls how the endpoints are reached over TLS, or null for plain TCP
   * @param policy load balancing, health checks, outlier detection and circuit breaking, or null
   *     for {@link BackendPolicy#DEFAULT}
   */
  record ServicePort(
      String service,
      int port,
      @Nullable String portName,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls,
      @Nullable BackendPolicy policy)
      implements BackendRef {
    public ServicePort {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(protocol, "protocol");
    }

    /** A reference with the default backend policy. */
    public ServicePort(
        String service,
        int port,
        @Nullable String portName,
        UpstreamProtocol protocol,
        @Nullable UpstreamTls tls) {
      this(service, port, portName, protocol, tls, null);
    }

    public ServicePort withPolicy(@Nullable BackendPolicy newPolicy) {
      return new ServicePort(service, port, portName, protocol, tls, newPolicy);
    }
  }
}
