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
public sealed interface BackendRef
    permits BackendSpec, BackendRef.Named, BackendRef.ServicePort, BackendRef.Unresolved {

  /** The lowest status an {@link Unresolved} backend may answer. */
  int MIN_UNRESOLVED_STATUS = 500;

  /** The highest status an {@link Unresolved} backend may answer. */
  int MAX_UNRESOLVED_STATUS = 599;

  /** A backend object of the route's own tenant, shared by the routes that name it. */
  record Named(String name) implements BackendRef {
    public Named {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * A port of a Kubernetes Service, in the route's own namespace unless {@code namespace} names
   * another; the translator resolves the port number, so the reference never changes when only
   * endpoints do.
   *
   * @param portName the Service port's name when the source named it, else null
   * @param tls how the endpoints are reached over TLS, or null for plain TCP
   * @param policy load balancing, health checks, outlier detection and circuit breaking, or null
   *     for {@link BackendPolicy#DEFAULT}
   * @param namespace the Service's namespace when it is not the route's own (null: the route's
   *     tenant, which is its namespace). Only the Gateway API translator writes one, for a
   *     reference a ReferenceGrant of that namespace permits; validation refuses it from any other
   *     source.
   */
  record ServicePort(
      String service,
      int port,
      @Nullable String portName,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls,
      @Nullable BackendPolicy policy,
      @Nullable String namespace)
      implements BackendRef {
    public ServicePort {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(protocol, "protocol");
    }

    /** A reference to a Service of the route's own namespace. */
    public ServicePort(
        String service,
        int port,
        @Nullable String portName,
        UpstreamProtocol protocol,
        @Nullable UpstreamTls tls,
        @Nullable BackendPolicy policy) {
      this(service, port, portName, protocol, tls, policy, null);
    }

    /** A reference with the default backend policy. */
    public ServicePort(
        String service,
        int port,
        @Nullable String portName,
        UpstreamProtocol protocol,
        @Nullable UpstreamTls tls) {
      this(service, port, portName, protocol, tls, null, null);
    }

    public ServicePort withPolicy(@Nullable BackendPolicy newPolicy) {
      return new ServicePort(service, port, portName, protocol, tls, newPolicy, namespace);
    }

    /**
     * This reference to the Service of the same name in {@code newNamespace} (null: the route's).
     */
    public ServicePort withNamespace(@Nullable String newNamespace) {
      return new ServicePort(service, port, portName, protocol, tls, policy, newNamespace);
    }
  }

  /**
   * A backend that could not be resolved: Gatehouse answers every request sent to it with {@code
   * status} itself, and no upstream is tried. Gateway API asks for this (500) when a backendRef
   * names an unknown kind, a missing Service or port, or another namespace's Service without a
   * ReferenceGrant, and when a rule has no backendRefs; in a weighted split only the invalid
   * backend's share gets it. Only the Kubernetes translator writes it (validation refuses it from
   * the routes file and REST: there it would be a fixed response, which the route document does not
   * define), and never as a mirror's or an error page's backend.
   *
   * @param status the status answered, {@value #MIN_UNRESOLVED_STATUS}-{@value
   *     #MAX_UNRESOLVED_STATUS}
   * @param reason why the reference did not resolve, for explain and the operator (never sent)
   */
  record Unresolved(int status, String reason) implements BackendRef {
    public Unresolved {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
