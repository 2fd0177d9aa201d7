package io.gatehouse.endpoint;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.RouteKey;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Which endpoints an {@link EndpointSet} holds: one key per kind of {@code BackendRef}. */
public sealed interface EndpointsKey {

  /**
   * The static endpoints of a route's backend at position {@code backend} of its list. The compiler
   * moves a route to another {@code variant} when a recompile changes its endpoints together with
   * anything else, so the route as compiled before never reads the new endpoints (an endpoint-only
   * change keeps the variant and is put in place).
   */
  record Inline(RouteKey route, int backend, int variant) implements EndpointsKey {
    public Inline {
      Objects.requireNonNull(route, "route");
      if (backend < 0) {
        throw new IllegalArgumentException("backend: " + backend + " (expected: >= 0)");
      }
    }

    public Inline(RouteKey route, int backend) {
      this(route, backend, 0);
    }
  }

  /**
   * The endpoints of a named backend object. The compiler moves the backend to another {@code
   * variant} when its protocol or upstream TLS changes (or it appears or goes), so the routes as
   * compiled before never send the old way to the new endpoints; an endpoint-only change keeps the
   * variant and is put in place.
   */
  record Named(BackendKey backend, int variant) implements EndpointsKey {
    public Named {
      Objects.requireNonNull(backend, "backend");
    }

    public Named(BackendKey backend) {
      this(backend, 0);
    }
  }

  /**
   * The endpoints of one port of a Kubernetes Service.
   *
   * @param portName the Service port's name, or null when the port is referred to by number
   */
  record Service(String namespace, String service, int port, @Nullable String portName)
      implements EndpointsKey {
    public Service {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(service, "service");
    }
  }
}
