package io.gatehouse.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.table.TableView;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test fixtures: a route builder that goes through the validator, and a request stub. */
final class Routes {
  private Routes() {}

  static Builder route(String name) {
    return new Builder(name);
  }

  static Request req(String host, String path) {
    return new Request(host, path);
  }

  static RouteSnapshot snapshot(List<RouteSpec> routes) {
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    for (RouteSpec r : routes) {
      m.put(r.key(), r);
    }
    return SnapshotCompiler.compile(new TableView(7, m));
  }

  /** The name of the matched route, or null. */
  static String matchName(RouteSnapshot s, Request r) {
    CompiledRoute c = s.match(r.host, r.path, r);
    return c == null ? null : c.spec().key().name();
  }

  static final class Builder {
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

    Builder host(String... h) {
      hosts.addAll(List.of(h));
      return this;
    }

    Builder prefix(String p) {
      paths.add(PathMatch.prefix(p));
      return this;
    }

    Builder exact(String p) {
      paths.add(PathMatch.exact(p));
      return this;
    }

    Builder regex(String p) {
      paths.add(PathMatch.regex(p));
      return this;
    }

    Builder implementationSpecific(String p) {
      paths.add(new PathMatch(PathMatchType.IMPLEMENTATION_SPECIFIC, p));
      return this;
    }

    Builder path(PathMatch p) {
      paths.add(p);
      return this;
    }

    Builder method(String... m) {
      methods.addAll(List.of(m));
      return this;
    }

    Builder header(String n, ValueMatchType t, String v) {
      headers.add(new HeaderMatch(n, t, v));
      return this;
    }

    Builder query(String n, ValueMatchType t, String v) {
      queries.add(new QueryMatch(n, t, v));
      return this;
    }

    Builder priority(int p) {
      priority = p;
      return this;
    }

    Builder backend(String host) {
      backendHost = host;
      return this;
    }

    /** The spec as written, not validated (for routes the compiler must reject). */
    RouteSpec raw() {
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
    RouteSpec build() {
      Validated<RouteSpec> v = RouteValidator.validate(raw());
      assertThat(v.violations()).as("fixture %s must be valid", name).isEmpty();
      return v.value();
    }
  }

  static final class Request implements RequestView {
    final String host;
    final String path;
    private String method = "GET";
    private final Map<String, String> headers = new HashMap<>();
    private final Map<String, String> query = new HashMap<>();

    Request(String host, String path) {
      this.host = host;
      this.path = path;
    }

    Request method(String m) {
      method = m;
      return this;
    }

    Request header(String lowerName, String value) {
      headers.put(lowerName, value);
      return this;
    }

    Request query(String name, String value) {
      query.put(name, value);
      return this;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public String queryParam(String name) {
      return query.get(name);
    }

    @Override
    public String toString() {
      return method + " " + host + path + " headers=" + headers + " query=" + query;
    }
  }
}
