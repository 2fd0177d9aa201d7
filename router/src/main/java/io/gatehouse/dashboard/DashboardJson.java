package io.gatehouse.dashboard;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.snapshot.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's JSON: what this node serves, read from the served state and never the table. It
 * names things (hosts, paths, backends, endpoints, policy kinds) and never carries a value a policy
 * or certificate keeps secret: route policies appear by kind only, certificates by name, names and
 * expiry, and from the node's status JSON only listed fields are copied.
 */
public final class DashboardJson {
  /** Routes (and backends) listed when the caller asks for no limit. */
  public static final int DEFAULT_LIMIT = 500;

  /** The most routes (and backends) one answer lists, whatever the caller asks. */
  public static final int MAX_LIMIT = 5_000;

  /** The sections of {@link #overview}, each also served alone. */
  public static final List<String> SECTIONS =
      List.of("node", "routes", "backends", "nodes", "certificates", "problems", "rates");

  /** How often the node has the dashboard look at its problems, so none is missed between polls. */
  public static final Duration OBSERVE_EVERY = Duration.ofSeconds(1);

  private final SnapshotHolder snapshots;
  private final EndpointIndex endpoints;
  private final Supplier<JsonObject> status;
  private final RequestRates rates;
  private final Clock clock;

  /**
   * Every problem seen, current ones with the time this dashboard first saw them: a problem that
   * goes away is resolved, so one that comes back is new again.
   */
  private final ProblemHistory history = new ProblemHistory();

  /**
   * @param status the node's status JSON ({@code /status}), of which only listed fields are copied;
   *     its {@code health} (ejections, failing checks) marks the endpoints
   */
  public DashboardJson(
      SnapshotHolder snapshots,
      EndpointIndex endpoints,
      Supplier<JsonObject> status,
      RequestRates rates) {
    this(snapshots, endpoints, status, rates, Clock.systemUTC());
  }

  /** As above, with the clock of the problems' first-seen times (tests). */
  public DashboardJson(
      SnapshotHolder snapshots,
      EndpointIndex endpoints,
      Supplier<JsonObject> status,
      RequestRates rates,
      Clock clock) {
    this.snapshots = snapshots;
    this.endpoints = endpoints;
    this.status = status;
    this.rates = rates;
    this.clock = clock;
  }

  /** Every section; routes and backends filtered by {@code query} and cut at {@code limit}. */
  public JsonObject overview(String query, int limit) {
    JsonObject s = status.get();
    RouteSnapshot snapshot = snapshots.get();
    return new JsonObject()
        .put("node", node(s))
        .put("routes", routes(snapshot, query, limit))
        .put("backends", backends(snapshot, s, query, limit))
        .put("nodes", nodes(s))
        .put("certificates", certificates(s))
        .put("problems", problems(s))
        .put("rates", rates());
  }

  /** One section of {@link #overview} by name, or null for an unknown name. */
  public @Nullable Object section(String name, String query, int limit) {
    return switch (name) {
      case "node" -> node(status.get());
      case "routes" -> routes(snapshots.get(), query, limit);
      case "backends" -> backends(snapshots.get(), status.get(), query, limit);
      case "nodes" -> nodes(status.get());
      case "certificates" -> certificates(status.get());
      case "problems" -> problems(status.get());
      case "rates" -> rates();
      default -> null;
    };
  }

  /** {@code limit} within 1 and {@link #MAX_LIMIT}; 0 or less is the default. */
  public static int limit(int asked) {
    return asked <= 0 ? DEFAULT_LIMIT : Math.min(asked, MAX_LIMIT);
  }

  private static JsonObject node(JsonObject s) {
    return copy(
        s, "ready", "draining", "generation", "routes", "inFlight", "uptimeSeconds", "version");
  }

  private static JsonObject nodes(JsonObject s) {
    JsonObject cluster = s.getJsonObject("cluster", new JsonObject());
    JsonArray members = new JsonArray();
    for (Object m : cluster.getJsonArray("members", new JsonArray())) {
      if (m instanceof JsonObject member) {
        members.add(
            copy(member, "id", "address", "local", "servedGeneration", "uptimeSeconds", "version"));
      }
    }
    return copy(cluster, "enabled", "name", "tableGeneration").put("members", members);
  }

  private static JsonArray certificates(JsonObject s) {
    JsonArray out = new JsonArray();
    for (Object c : s.getJsonArray("certificates", new JsonArray())) {
      if (c instanceof JsonObject cert) {
        out.add(
            copy(
                cert,
                "name",
                "tenant",
                "dnsNames",
                "notAfter",
                "daysLeft",
                "source",
                "expiringSoon"));
      }
    }
    return out;
  }

  /** Records the node's current problems in the history (the node's timer, between polls). */
  public void observeProblems() {
    problems(status.get());
  }

  /**
   * Rejected routes (any source, Kubernetes ones included), TLS binding problems, the routes file's
   * last error, a refused configuration reload, the Kubernetes controller's state and the objects
   * it refused or holds, the endpoints ejected or failing their checks; and the history of every
   * problem seen ({@code recent}).
   */
  private synchronized JsonObject problems(JsonObject s) {
    Instant now = clock.instant();
    List<ProblemHistory.Seen> current = new ArrayList<>();
    List<ProblemHistory.Seen> routeSeen = new ArrayList<>();
    JsonArray routes = new JsonArray();
    for (Object p : s.getJsonArray("problems", new JsonArray())) {
      if (p instanceof JsonObject problem) {
        JsonObject out = copy(problem, "route", "reason");
        routes.add(out);
        routeSeen.add(
            new ProblemHistory.Seen(
                "route",
                String.valueOf(problem.getValue("route")),
                String.valueOf(problem.getValue("reason")),
                null));
      }
    }
    current.addAll(routeSeen);
    JsonObject file = s.getJsonObject("fileSource");
    JsonObject fileOut = file == null ? null : copy(file, "file", "routes", "lastError");
    ProblemHistory.Seen fileSeen = null;
    if (fileOut != null && fileOut.getValue("lastError") instanceof String error) {
      fileSeen =
          new ProblemHistory.Seen(
              "routesFile", String.valueOf(fileOut.getValue("file")), error, null);
      current.add(fileSeen);
    }
    JsonObject reloadOut = null;
    ProblemHistory.Seen reloadSeen = null;
    JsonObject reload = s.getJsonObject("configReload");
    JsonObject last = reload == null ? null : reload.getJsonObject("last");
    if (last != null && "refused".equals(last.getValue("result"))) {
      // refused until a later reload applies: the node runs on its previous settings meanwhile
      reloadOut = copy(last, "at", "result", "detail").put("file", reload.getValue("file"));
      reloadSeen =
          new ProblemHistory.Seen(
              "configReload",
              String.valueOf(reload.getValue("file")),
              String.valueOf(last.getValue("detail")),
              instant(last.getValue("at")));
      current.add(reloadSeen);
    }
    JsonObject k8s = s.getJsonObject("kubernetes");
    JsonObject k8sOut = k8s == null ? null : kubernetes(k8s, current);
    JsonObject health = s.getJsonObject("health", new JsonObject());
    JsonArray ejected = new JsonArray();
    for (Object e : health.getJsonArray("ejected", new JsonArray())) {
      if (e instanceof JsonObject ejection) {
        ejected.add(copy(ejection, "endpoint", "reason", "by", "expires", "ejections"));
        current.add(
            new ProblemHistory.Seen(
                "endpoint",
                String.valueOf(ejection.getValue("endpoint")),
                "ejected (" + ejection.getValue("reason") + ", by " + ejection.getValue("by") + ")",
                null));
      }
    }
    JsonArray failing = health.getJsonArray("failingChecks", new JsonArray()).copy();
    for (Object at : failing) {
      current.add(
          new ProblemHistory.Seen("endpoint", String.valueOf(at), "fails its health check", null));
    }
    history.observe(now, current);
    for (int i = 0; i < routes.size(); i++) {
      putSince(routes.getJsonObject(i), routeSeen.get(i));
    }
    if (fileOut != null && fileSeen != null) {
      putSince(fileOut, fileSeen);
    }
    if (reloadOut != null && reloadSeen != null) {
      putSince(reloadOut, reloadSeen);
    }
    return new JsonObject()
        .put("routes", routes)
        .put("file", fileOut)
        .put("configReload", reloadOut)
        .put("kubernetes", k8sOut)
        .put("ejected", ejected)
        .put("failingChecks", failing)
        .put("recent", history.recent());
  }

  private void putSince(JsonObject out, ProblemHistory.Seen seen) {
    Instant since = history.since(seen);
    if (since != null) {
      out.put("since", since.toString());
    }
  }

  private static @Nullable Instant instant(@Nullable Object value) {
    if (value instanceof String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        return null; // the look's own time then
      }
    }
    return null;
  }

  /**
   * The controller's state, the routes it holds back and the objects its last translation refused
   * or warned about (each as its object's problem), added to {@code current} for the history.
   */
  private static JsonObject kubernetes(JsonObject k8s, List<ProblemHistory.Seen> current) {
    if (Boolean.TRUE.equals(k8s.getValue("enabled"))
        && !Boolean.TRUE.equals(k8s.getValue("synced"))) {
      current.add(new ProblemHistory.Seen("kubernetes", "controller", "not synced yet", null));
    }
    JsonArray held = new JsonArray();
    for (Object h : k8s.getJsonArray("held", new JsonArray())) {
      if (h instanceof JsonObject problem) {
        held.add(copy(problem, "object", "reason", "message"));
        current.add(
            new ProblemHistory.Seen(
                "kubernetes",
                "Ingress " + problem.getValue("object"),
                problem.getValue("reason") + ": " + problem.getValue("message"),
                null));
      }
    }
    JsonArray objects = new JsonArray();
    for (Object o : k8s.getJsonArray("problems", new JsonArray())) {
      if (o instanceof JsonObject problem) {
        objects.add(copy(problem, "kind", "object", "reason", "message", "since"));
        current.add(
            new ProblemHistory.Seen(
                "kubernetes",
                problem.getValue("kind") + " " + problem.getValue("object"),
                problem.getValue("reason") + ": " + problem.getValue("message"),
                instant(problem.getValue("since"))));
      }
    }
    JsonObject out =
        copy(k8s, "enabled", "synced", "leaderElection", "leader", "gatewayApi", "problemsTotal")
            .put("held", held)
            .put("problems", objects);
    return out;
  }

  private JsonObject rates() {
    RequestRates.Rates r = rates.read();
    return new JsonObject()
        .put("windowSeconds", RequestRates.WINDOW_SECONDS)
        .put("seconds", r.seconds())
        .put("requestsPerSecond", round(r.requestsPerSecond()))
        .put("errorsPerSecond", round(r.errorsPerSecond()))
        .put("requests", longs(r.requests()))
        .put("errors", longs(r.errors()));
  }

  /** The routes of one snapshot sorted by id: sorted once per snapshot, not at every poll. */
  private record Sorted(RouteSnapshot snapshot, List<CompiledRoute> routes) {}

  private volatile @Nullable Sorted sorted;

  private List<CompiledRoute> sortedRoutes(@Nullable RouteSnapshot snapshot) {
    if (snapshot == null) {
      return List.of();
    }
    Sorted s = sorted;
    if (s == null || s.snapshot() != snapshot) {
      List<CompiledRoute> routes = new ArrayList<>(snapshot.routes());
      routes.sort(Comparator.comparing(CompiledRoute::id));
      s = new Sorted(snapshot, List.copyOf(routes));
      sorted = s;
    }
    return s.routes();
  }

  private JsonObject routes(@Nullable RouteSnapshot snapshot, String query, int limit) {
    List<CompiledRoute> all = sortedRoutes(snapshot);
    List<CompiledRoute> matching = new ArrayList<>();
    String q = query.toLowerCase(Locale.ROOT);
    for (CompiledRoute r : all) {
      if (q.isEmpty() || routeMatches(r, q)) {
        matching.add(r);
      }
    }
    JsonArray items = new JsonArray();
    int n = Math.min(matching.size(), limit(limit));
    for (int i = 0; i < n; i++) {
      items.add(route(matching.get(i)));
    }
    return new JsonObject()
        .put("generation", snapshot == null ? 0 : snapshot.generation())
        .put("total", all.size())
        .put("matching", matching.size())
        .put("items", items);
  }

  private static boolean routeMatches(CompiledRoute r, String q) {
    if (r.id().toLowerCase(Locale.ROOT).contains(q)) {
      return true;
    }
    for (String host : r.spec().hosts()) {
      if (host.contains(q)) {
        return true;
      }
    }
    for (PathMatch p : r.spec().paths()) {
      if (p.value().toLowerCase(Locale.ROOT).contains(q)) {
        return true;
      }
    }
    return false;
  }

  private static JsonObject route(CompiledRoute r) {
    RouteSpec spec = r.spec();
    JsonArray paths = new JsonArray();
    for (PathMatch p : spec.paths()) {
      paths.add(
          new JsonObject()
              .put("type", p.type().name().toLowerCase(Locale.ROOT))
              .put("value", p.value()));
    }
    JsonArray backends = new JsonArray();
    List<RouteBackend> refs = spec.backends();
    for (int i = 0; i < refs.size(); i++) {
      RouteBackend b = refs.get(i);
      JsonObject out =
          new JsonObject()
              .put("kind", kind(b.ref()))
              .put("weight", b.weight())
              .put("canary", b.canary() != null);
      if (i < r.targets().size()) {
        out.put("backend", label(r.targets().get(i).key()));
      }
      backends.add(out);
    }
    Set<String> policies = new java.util.TreeSet<>();
    for (PolicySpec p : spec.policies()) {
      policies.add(p.getClass().getSimpleName()); // the kind only: values may be secret
    }
    return new JsonObject()
        .put("id", r.id())
        .put("tenant", spec.key().tenant().value())
        .put("source", spec.key().source())
        .put("name", spec.key().name())
        .put("hosts", new JsonArray(List.copyOf(spec.hosts())))
        .put("paths", paths)
        .put("methods", new JsonArray(spec.methods().stream().sorted().toList()))
        .put("backends", backends)
        .put("tls", spec.tls() != null)
        .put("policies", new JsonArray(List.copyOf(policies)));
  }

  /**
   * The backends the served routes send to, each once, with its endpoints as this node's index
   * holds them and each endpoint's health here.
   */
  private JsonObject backends(
      @Nullable RouteSnapshot snapshot, JsonObject status, String query, int limit) {
    String q = query.toLowerCase(Locale.ROOT);
    Map<EndpointsKey, Backend> byKey = new LinkedHashMap<>();
    if (snapshot != null) {
      for (CompiledRoute r : snapshot.routes()) {
        boolean routeMatches = !q.isEmpty() && routeMatches(r, q);
        for (Target t : r.targets()) {
          Backend b = byKey.computeIfAbsent(t.key(), k -> new Backend(t, label(k)));
          b.routes.add(r.id());
          b.matches |= routeMatches;
        }
      }
    }
    JsonObject health = status.getJsonObject("health", new JsonObject());
    Set<String> ejected = new HashSet<>();
    for (Object e : health.getJsonArray("ejected", new JsonArray())) {
      if (e instanceof JsonObject ejection && ejection.getValue("endpoint") instanceof String at) {
        ejected.add(at);
      }
    }
    Set<String> failing = new HashSet<>();
    for (Object at : health.getJsonArray("failingChecks", new JsonArray())) {
      if (at instanceof String address) {
        failing.add(address);
      }
    }
    List<Backend> matching = new ArrayList<>();
    for (Backend b : byKey.values()) {
      // a backend matches by its own name, or when a route sending to it matches
      if (q.isEmpty() || b.matches || b.label.toLowerCase(Locale.ROOT).contains(q)) {
        matching.add(b);
      }
    }
    matching.sort(Comparator.comparing(b -> b.label));
    JsonArray items = new JsonArray();
    int n = Math.min(matching.size(), limit(limit));
    for (int i = 0; i < n; i++) {
      Backend b = matching.get(i);
      JsonArray eps = new JsonArray();
      int up = 0;
      for (Endpoint e : endpoints.get(b.target.slot()).endpoints()) {
        String at = e.authority();
        String state =
            ejected.contains(at) ? "ejected" : failing.contains(at) ? "failing-check" : "healthy";
        if (state.equals("healthy")) {
          up++;
        }
        eps.add(new JsonObject().put("address", at).put("weight", e.weight()).put("state", state));
      }
      items.add(
          new JsonObject()
              .put("backend", b.label)
              .put("kind", kind(b.target.key()))
              .put("protocol", b.target.protocol().name().toLowerCase(Locale.ROOT))
              .put("tls", b.target.tls() != null)
              .put("routes", new JsonArray(List.copyOf(b.routes)))
              .put("healthy", up)
              .put("endpoints", eps));
    }
    return new JsonObject()
        .put("total", byKey.size())
        .put("matching", matching.size())
        .put("items", items);
  }

  private static final class Backend {
    final Target target;
    final String label;
    final Set<String> routes = new java.util.TreeSet<>();
    boolean matches;

    Backend(Target target, String label) {
      this.target = target;
      this.label = label;
    }
  }

  /** A backend's name as operators write it: {@code ns/service:port}, {@code tenant/name}. */
  static String label(EndpointsKey key) {
    if (key instanceof EndpointsKey.Service s) {
      return s.namespace()
          + "/"
          + s.service()
          + ":"
          + (s.portName() != null ? s.portName() : String.valueOf(s.port()));
    }
    if (key instanceof EndpointsKey.Named n) {
      return n.backend().tenant().value() + "/" + n.backend().name();
    }
    EndpointsKey.Inline i = (EndpointsKey.Inline) key;
    return i.route() + "#" + i.backend();
  }

  private static String kind(EndpointsKey key) {
    return key instanceof EndpointsKey.Service
        ? "service"
        : key instanceof EndpointsKey.Named ? "named" : "endpoints";
  }

  private static String kind(BackendRef ref) {
    if (ref instanceof BackendRef.Unresolved) {
      return "unresolved";
    }
    return ref instanceof BackendRef.ServicePort
        ? "service"
        : ref instanceof BackendRef.Named ? "named" : "endpoints";
  }

  private static JsonObject copy(JsonObject from, String... fields) {
    JsonObject out = new JsonObject();
    for (String f : fields) {
      if (from.containsKey(f)) {
        Object v = from.getValue(f);
        out.put(f, v instanceof JsonArray a ? a.copy() : v instanceof JsonObject o ? o.copy() : v);
      }
    }
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static JsonArray longs(long[] values) {
    JsonArray out = new JsonArray();
    for (long v : values) {
      out.add(v);
    }
    return out;
  }
}
