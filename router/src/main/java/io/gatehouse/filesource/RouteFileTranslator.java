package io.gatehouse.filesource;

import io.gatehouse.document.DocProblem;
import io.gatehouse.document.DocumentReader;
import io.gatehouse.document.Read;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.RouteSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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
   * Either validated routes and named backends (in file order) or the problems, sorted by line;
   * never both.
   */
  public record Result(
      List<RouteSpec> routes, List<BackendObject> backends, List<Problem> problems) {
    public Result {
      routes = List.copyOf(routes);
      backends = List.copyOf(backends);
      problems = List.copyOf(problems);
    }

    public Result(List<RouteSpec> routes, List<Problem> problems) {
      this(routes, List.of(), problems);
    }

    public boolean isValid() {
      return problems.isEmpty();
    }
  }

  public static Result translate(String yaml) {
    LocatedYaml.Document doc;
    try {
      doc = LocatedYaml.parse(yaml);
    } catch (LocatedYaml.SyntaxException e) {
      String where = e.column() > 0 ? "column " + e.column() + ": " : "";
      return new Result(List.of(), List.of(new Problem(e.line(), where + e.getMessage())));
    }
    Read<List<RouteSpec>> read = DocumentReader.readDocument(doc.root(), SOURCE);
    Read<List<BackendObject>> backends = DocumentReader.readBackends(doc.root(), SOURCE);
    if (read.isValid() && backends.isValid()) {
      return new Result(read.value(), backends.value(), List.of());
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
}
