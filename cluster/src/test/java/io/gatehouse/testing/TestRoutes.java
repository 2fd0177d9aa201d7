package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The project's route builders for tests, shared through cluster's test-jar: the plain routes the
 * table tests and the sources' tests write ({@code NAME.example}, prefix {@code /}, one endpoint on
 * 10.0.0.1), routes by Service port, named backends, and a fluent {@link Builder} for the
 * compiler's and matcher's cases.
 */
public final class TestRoutes {
  private TestRoutes() {}

  /** Host {@code NAME.example}, prefix {@code /}, one HTTP/1 endpoint {@code 10.0.0.1:port}. */
  public static RouteSpec route(String tenant, String source, String name, int port) {
    return RouteSpec.simple(
        RouteKey.of(tenant, source, name),
        List.of(name + ".example"),
        List.of(PathMatch.prefix("/")),
        BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", port))));
  }

  /** {@link #route} by a Kubernetes Service port instead: entry format 2. */
  public static RouteSpec byServicePort(
      String tenant, String source, String name, String service, int port) {
    return route(tenant, source, name, 1)
        .withBackends(
            List.of(
                RouteBackend.of(
                    new BackendRef.ServicePort(
                        service, port, null, UpstreamProtocol.HTTP1, null))));
  }

  /**
   * A route by Kubernetes Service port {@code web:8080}: entry format 2, which the release before
   * it cannot read.
   */
  public static RouteSpec servicePortRoute(String tenant, String source, String name) {
    return byServicePort(tenant, source, name, "web", 8080);
  }

  /** A named backend of {@code tenant}: a kind format 1 does not know, so entry format 2. */
  public static BackendObject backend(String tenant, String source, String name, int port) {
    return new BackendObject(
        new BackendKey(TenantId.of(tenant), name),
        source,
        BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", port))));
  }

  /** A fluent builder for a route of tenant {@code t1}, source {@code api}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Hosts, paths, methods, headers, queries, priority and one backend host (port 8080). */
  public static final class Builder {
    private final String name;
    private final List<String> hosts = new ArrayList<>();
    private final List<PathMatch> paths = new ArrayList<>();
    private final Set<String> methods = new LinkedHashSet<>();
    private final List<HeaderMatch> headers = new ArrayList<>();
    private final List<QueryMatch> queries = new ArrayList<>();
    private String backendHost = "backend.internal";
    private int priority;

    Builder(String name) {
      this.name = name;
    }

    public Builder host(String... h) {
      hosts.addAll(List.of(h));
      return this;
    }

    public Builder prefix(String p) {
      paths.add(PathMatch.prefix(p));
      return this;
    }

    public Builder exact(String p) {
      paths.add(PathMatch.exact(p));
      return this;
    }

    public Builder regex(String p) {
      paths.add(PathMatch.regex(p));
      return this;
    }

    public Builder implementationSpecific(String p) {
      paths.add(new PathMatch(PathMatchType.IMPLEMENTATION_SPECIFIC, p));
      return this;
    }

    public Builder path(PathMatch p) {
      paths.add(p);
      return this;
    }

    public Builder method(String... m) {
      methods.addAll(List.of(m));
      return this;
    }

    public Builder header(String n, ValueMatchType t, String v) {
      headers.add(new HeaderMatch(n, t, v));
      return this;
    }

    public Builder query(String n, ValueMatchType t, String v) {
      queries.add(new QueryMatch(n, t, v));
      return this;
    }

    public Builder priority(int p) {
      priority = p;
      return this;
    }

    public Builder backend(String host) {
      backendHost = host;
      return this;
    }

    /** The spec as written, not validated (for routes the compiler must reject). */
    public RouteSpec raw() {
      return new RouteSpec(
          RouteKey.of("t1", "api", name),
          hosts,
          paths,
          methods,
          headers,
          queries,
          BackendSpec.http1(List.of(Endpoint.of(backendHost, 8080))),
          null,
          null,
          priority);
    }

    /** The spec as the validator normalises it; what the table really holds. */
    public RouteSpec build() {
      Validated<RouteSpec> v = RouteValidator.validate(raw());
      assertThat(v.violations()).as("fixture %s must be valid", name).isEmpty();
      return v.value();
    }
  }
}
