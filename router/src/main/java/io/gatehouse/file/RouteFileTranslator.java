package io.gatehouse.file;

import io.gatehouse.document.DocProblem;
import io.gatehouse.document.DocumentReader;
import io.gatehouse.document.Read;
import io.gatehouse.document.SecretFiles;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.ErrorPages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Translates a YAML routes file into validated specs of source {@code file}, or into the problems
 * that stop it, each with its line. An adapter: {@link LocatedYaml} parses the text and knows the
 * lines, {@link DocumentReader} reads the route document (the same reader as every other source).
 * Pure: the same text always gives the same answer. A file with any problem yields no routes at
 * all, so a half-edited file never half-applies.
 *
 * <p>The format (see {@code docs/routes-file.md} and {@code examples/routes.yaml}):
 *
 * <pre>{@code
 * routes:
 *   - name: echo               # required, unique in the file
 *     tenant: default          # optional, default "default"
 *     hosts: [echo.localhost, "*.apps.example.com"]   # optional, empty = any host
 *     paths:                   # optional, default Prefix /; a plain string is a Prefix
 *       - {type: Prefix, value: /api}  # Exact | Prefix | ImplementationSpecific | RegularExpression
 *     methods: [GET, POST]     # optional, empty = any method
 *     headers: [{name: x-canary, type: Exact, value: "1"}]  # type Exact|RegularExpression|Present
 *     queries: [{name: debug, type: Present}]
 *     backend:
 *       protocol: http1        # http1 | h2c | h2 (HTTP/2 over TLS), default http1
 *       endpoints: ["127.0.0.1:8080", {address: "127.0.0.1:8081", weight: 3}]
 *       tls:                   # optional: reach the endpoints over TLS ({} = verified, JDK CAs)
 *         caBundle: |          # optional PEM; default the JDK's trust store
 *         serverName: api.internal   # optional: SNI and the name verified
 *         verifyHostname: true # default true
 *         insecureSkipVerify: false  # default false; logged as a warning
 *         clientCertificate: {certificateChain: |, privateKey: |}   # optional PEM pair
 *     timeouts: {connect: 5s, response: 15s, bodyIdle: 60s, request: 300s}  # each optional
 *     maxRequestBodyBytes: 10MiB   # optional
 *     priority: 0              # optional
 *     tls:                     # optional: how the route's hosts are served over HTTPS
 *       certificate: www       # NAME of the certificate (tls.certDir's NAME.crt/NAME.pem)
 *       hosts: [echo.localhost]  # optional, default all the route's hosts
 *       redirect: 308          # 301 | 302 | 307 | 308 | off, default 308
 *       hsts: {maxAge: 365d, includeSubDomains: true, preload: false}  # optional
 *       clientAuth: {mode: required, caBundle: |}   # none | optional | required
 * backends:                    # optional: named backends, shared by the routes of their tenant
 *   - name: web                # required, unique in its tenant
 *     tenant: default          # optional, default "default"
 *     protocol: http1          # as a route's backend: protocol, endpoints, tls
 *     endpoints: ["127.0.0.1:8080"]
 * # and in a route: backendRefs: [{backend: web, weight: 90}, {endpoints: [...], weight: 10}]
 * }</pre>
 *
 * An empty file is an error; {@code routes: []} says "no routes" on purpose.
 */
public final class RouteFileTranslator {
  public static final String SOURCE = "file";
  public static final String DEFAULT_TENANT = DocumentReader.DEFAULT_TENANT;

  private RouteFileTranslator() {}

  /** One reason the file was refused. Line 0 means the problem has no line (size, encoding). */
  public record Problem(int line, String message) {
    @Override
    public String toString() {
      return line > 0 ? "line " + line + ": " + message : message;
    }
  }

  /**
   * The rule a Service reference breaks on a node that has no Service endpoints: the route could
   * never be served there, so it is refused with a reason instead of answering 503 without one.
   */
  static final String SERVICE_NEEDS_FEED =
      "endpoints instead: this node runs no Kubernetes controller (kubernetes.enabled), the only"
          + " source of a Service's endpoints";

  /**
   * Either validated routes and named backends (in file order) or the problems, sorted by line;
   * never both. A valid file may still leave routes out that this node cannot serve ({@code
   * leftOut}, by line); its other routes are in {@code routes}.
   */
  public record Result(
      List<RouteSpec> routes,
      List<BackendObject> backends,
      List<Problem> problems,
      List<Problem> leftOut) {
    public Result {
      routes = List.copyOf(routes);
      backends = List.copyOf(backends);
      problems = List.copyOf(problems);
      leftOut = List.copyOf(leftOut);
    }

    public Result(List<RouteSpec> routes, List<Problem> problems) {
      this(routes, List.of(), problems, List.of());
    }

    public boolean isValid() {
      return problems.isEmpty();
    }
  }

  /** Translates for a node that has Service endpoints (the document alone decides). */
  public static Result translate(String yaml) {
    return translate(yaml, true);
  }

  /**
   * Translates for a node that has Service endpoints (a Kubernetes endpoint feed) or not. Without
   * them, each route with a {@code service} backend is left out with a problem at that backend's
   * line; the rest of the file is still valid.
   */
  public static Result translate(String yaml, boolean serviceEndpoints) {
    return translate(
        yaml,
        serviceEndpoints,
        path -> {
          throw new IOException("no directory to read " + path + " from");
        });
  }

  /**
   * As {@link #translate(String, boolean)}, reading the files a route names for its secrets (a
   * BasicAuth {@code htpasswdFile}) through {@code files}, now: the route holds their content.
   */
  public static Result translate(String yaml, boolean serviceEndpoints, SecretFiles files) {
    LocatedYaml.Document doc;
    try {
      doc = LocatedYaml.parse(yaml);
    } catch (LocatedYaml.SyntaxException e) {
      String where = e.column() > 0 ? "column " + e.column() + ": " : "";
      return new Result(List.of(), List.of(new Problem(e.line(), where + e.getMessage())));
    }
    Read<List<RouteSpec>> read = DocumentReader.readDocument(doc.root(), SOURCE, files);
    Read<List<BackendObject>> backends = DocumentReader.readBackends(doc.root(), SOURCE);
    if (read.isValid() && backends.isValid()) {
      // a valid read has its value: the reader answers a list, empty at worst
      List<RouteSpec> routes = Objects.requireNonNull(read.value(), "routes");
      List<BackendObject> named = Objects.requireNonNull(backends.value(), "backends");
      return serviceEndpoints
          ? new Result(routes, named, List.of(), List.of())
          : withoutServices(doc, routes, named);
    }
    List<Problem> problems = new ArrayList<>();
    for (DocProblem p : backends.problems()) {
      problems.add(new Problem(doc.lineOf(p.at().toString()), p.message()));
    }
    for (DocProblem p : read.problems()) {
      problems.add(new Problem(doc.lineOf(p.at().toString()), p.message()));
    }
    problems.sort(Comparator.comparingInt(Problem::line)); // stable: document order within a line
    return new Result(List.of(), problems);
  }

  /**
   * The routes of a valid file ({@code all}, in file order) with every route that names a Service
   * left out, by line.
   */
  private static Result withoutServices(
      LocatedYaml.Document doc, List<RouteSpec> all, List<BackendObject> named) {
    List<RouteSpec> kept = new ArrayList<>();
    List<Problem> leftOut = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      RouteSpec route = all.get(i);
      List<RouteBackend> backends = route.backends();
      boolean served = true;
      for (int j = 0; j < backends.size(); j++) {
        if (backends.get(j).ref() instanceof BackendRef.ServicePort p) {
          String at = "routes[" + i + "].backendRefs[" + j + "].service";
          leftOut.add(
              new Problem(
                  doc.lineOf(at),
                  at + ": \"" + p.service() + "\" (expected: " + SERVICE_NEEDS_FEED + ")"));
          served = false;
        }
      }
      for (int j = 0; j < route.policies().size(); j++) {
        if (route.policies().get(j) instanceof ErrorPages e
            && e.backend() instanceof BackendRef.ServicePort p) {
          String at = "routes[" + i + "].policies[" + j + "].backend.service";
          leftOut.add(
              new Problem(
                  doc.lineOf(at),
                  at + ": \"" + p.service() + "\" (expected: " + SERVICE_NEEDS_FEED + ")"));
          served = false;
        }
      }
      if (served) {
        kept.add(route);
      }
    }
    return new Result(kept, named, List.of(), leftOut);
  }
}
