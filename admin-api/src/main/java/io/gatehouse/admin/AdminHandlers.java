package io.gatehouse.admin;

import io.gatehouse.admin.ChangePlanner.Change;
import io.gatehouse.admin.ChangePlanner.Kind;
import io.gatehouse.admin.ChangePlanner.Plan;
import io.gatehouse.admin.ChangePlanner.Target;
import io.gatehouse.admin.auth.Caller;
import io.gatehouse.admin.auth.Tokens;
import io.gatehouse.admin.translate.CertificateJson;
import io.gatehouse.admin.translate.FieldError;
import io.gatehouse.admin.translate.ResourceJson;
import io.gatehouse.admin.translate.RestBackends;
import io.gatehouse.admin.translate.RestRoutes;
import io.gatehouse.document.Quantities;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.TokenSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.ServedReport;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.Validated;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One method per operation of the contract. Reads answer from the table's current view; writes are
 * planned against that view and applied off the event loop as one conditional batch.
 */
final class AdminHandlers {
  /** A request after the contract validated it and the caller was authenticated. */
  record Request(
      Caller caller,
      String operation,
      Map<String, String> path,
      MultiMap query,
      @Nullable String ifMatch,
      JsonObject body) {
    TenantId tenant() {
      return TenantId.of(param("tenant"));
    }

    /** A parameter of the operation's path (the router matched the path, so it is there). */
    String param(String name) {
      return Objects.requireNonNull(path.get(name), name);
    }
  }

  /** A write's result before read-your-writes: the reply and the generation it is in. */
  private record Written(Reply reply, long generation, long revision) {}

  private final Vertx vertx;
  private final RouteTable table;
  private final AdminApiOptions options;
  private final ChangePlanner planner;
  private final Clock clock;
  private final Explainer explainer;

  AdminHandlers(
      Vertx vertx,
      RouteTable table,
      AdminApiOptions options,
      ChangePlanner planner,
      Clock clock,
      Explainer explainer) {
    this.vertx = vertx;
    this.table = table;
    this.options = options;
    this.planner = planner;
    this.clock = clock;
    this.explainer = explainer;
  }

  /** The handler of every operation id. */
  Map<String, Function<Request, Future<Reply>>> all() {
    return Map.ofEntries(
        Map.entry("listTenants", this::listTenants),
        Map.entry("getTenant", this::getTenant),
        Map.entry("putTenant", this::putTenant),
        Map.entry("deleteTenant", this::deleteTenant),
        Map.entry("listHostClaims", this::listHostClaims),
        Map.entry("getHostClaim", this::getHostClaim),
        Map.entry("claimHost", r -> tenantChange(r, hostChange(r, true))),
        Map.entry("releaseHost", r -> tenantChange(r, hostChange(r, false))),
        Map.entry("listRoutes", this::listRoutes),
        Map.entry("getRoute", this::getRoute),
        Map.entry("putRoute", r -> tenantChange(r, change(r, Kind.ROUTE, true))),
        Map.entry("deleteRoute", r -> tenantChange(r, change(r, Kind.ROUTE, false))),
        Map.entry("listBackends", this::listBackends),
        Map.entry("getBackend", this::getBackend),
        Map.entry("putBackend", r -> tenantChange(r, change(r, Kind.BACKEND, true))),
        Map.entry("deleteBackend", r -> tenantChange(r, change(r, Kind.BACKEND, false))),
        Map.entry("listCertificates", this::listCertificates),
        Map.entry("getCertificate", this::getCertificate),
        Map.entry("putCertificate", r -> tenantChange(r, change(r, Kind.CERTIFICATE, true))),
        Map.entry("deleteCertificate", r -> tenantChange(r, change(r, Kind.CERTIFICATE, false))),
        Map.entry("applyBatch", this::applyBatch),
        Map.entry("listTokens", this::listTokens),
        Map.entry("createToken", this::createToken),
        Map.entry("getToken", this::getToken),
        Map.entry("revokeToken", this::revokeToken),
        Map.entry("rotateToken", this::rotateToken),
        Map.entry("getCluster", this::getCluster),
        Map.entry("explainRequest", this::explainRequest));
  }

  // --- tenants ---------------------------------------------------------------------------------

  private Future<Reply> listTenants(Request r) {
    TableView v = table.view();
    return page(
        r,
        v.tenants().values().stream()
            .map(t -> Map.entry(t.id().value(), ResourceJson.tenant(t, v.revision(EntryKey.of(t)))))
            .toList());
  }

  private Future<Reply> getTenant(Request r) {
    TableView v = table.view();
    TenantSpec t = v.tenants().get(r.tenant());
    if (t == null) {
      return problem(Problem.notFound());
    }
    long rev = v.revision(EntryKey.of(t));
    return Future.succeededFuture(Reply.json(200, ResourceJson.tenant(t, rev)).etag(rev));
  }

  private Future<Reply> putTenant(Request r) {
    TenantSpec spec = new TenantSpec(r.tenant(), r.body().getString("displayName", ""));
    EntryKey key = EntryKey.of(spec);
    boolean existed = table.view().revision(key) != 0;
    return write(
        r,
        Batch.of(Write.put(spec, ifMatch(r))),
        (gen, revs) -> {
          long rev = revision(revs, key);
          return Reply.json(existed ? 200 : 201, ResourceJson.tenant(spec, rev)).etag(rev);
        },
        key);
  }

  private Future<Reply> deleteTenant(Request r) {
    TableView v = table.view();
    TenantId id = r.tenant();
    if (!v.tenants().containsKey(id)) {
      return problem(Problem.notFound());
    }
    boolean owns =
        v.hostClaims().values().stream().anyMatch(c -> c.tenant().equals(id))
            || v.routes().keySet().stream().anyMatch(k -> k.tenant().equals(id))
            || v.certificates().keySet().stream().anyMatch(k -> k.tenant().equals(id))
            || v.backends().keySet().stream().anyMatch(k -> k.tenant().equals(id))
            || v.tokens().values().stream().anyMatch(t -> id.equals(t.tenant()));
    if (owns) {
      return problem(
          Problem.of(
              409,
              "tenant-in-use",
              "The tenant still owns objects",
              "delete its routes, backends, certificates, host claims and tokens first"));
    }
    EntryKey key = EntryKey.tenant(id);
    return write(r, Batch.of(Write.delete(key, ifMatch(r))), (gen, revs) -> Reply.empty(204), key);
  }

  // --- host claims, routes, certificates -------------------------------------------------------

  private Future<Reply> listHostClaims(Request r) {
    TableView v = table.view();
    if (!v.tenants().containsKey(r.tenant())) {
      return problem(Problem.notFound());
    }
    return page(
        r,
        v.hostClaims().values().stream()
            .filter(c -> c.tenant().equals(r.tenant()))
            .map(c -> Map.entry(c.host(), ResourceJson.hostClaim(c, v.revision(EntryKey.of(c)))))
            .toList());
  }

  private Future<Reply> getHostClaim(Request r) {
    TableView v = table.view();
    Validated<String> host = Hostnames.normalizeConfigured("host", r.param("host"));
    if (!host.isValid()) {
      return problem(
          Problem.invalid(
              List.of(new FieldError("host", r.param("host"), host.violations().get(0).rule()))));
    }
    HostClaim c = v.hostClaims().get(host.value());
    if (!v.tenants().containsKey(r.tenant()) || c == null || !c.tenant().equals(r.tenant())) {
      return problem(Problem.notFound());
    }
    long rev = v.revision(EntryKey.of(c));
    return Future.succeededFuture(Reply.json(200, ResourceJson.hostClaim(c, rev)).etag(rev));
  }

  private Future<Reply> listRoutes(Request r) {
    TableView v = table.view();
    if (!v.tenants().containsKey(r.tenant())) {
      return problem(Problem.notFound());
    }
    return page(
        r,
        v.routes().values().stream()
            .filter(
                rt ->
                    rt.key().tenant().equals(r.tenant())
                        && rt.key().source().equals(RestRoutes.SOURCE))
            .map(
                rt -> Map.entry(rt.key().name(), RestRoutes.write(rt, v.revision(EntryKey.of(rt)))))
            .toList());
  }

  private Future<Reply> getRoute(Request r) {
    TableView v = table.view();
    RouteSpec route = v.routes().get(new RouteKey(r.tenant(), RestRoutes.SOURCE, r.param("name")));
    if (route == null) {
      return problem(Problem.notFound());
    }
    long rev = v.revision(EntryKey.of(route));
    return Future.succeededFuture(Reply.json(200, RestRoutes.write(route, rev)).etag(rev));
  }

  /** Every named backend of the tenant, whichever source owns it ({@code source} says). */
  private Future<Reply> listBackends(Request r) {
    TableView v = table.view();
    if (!v.tenants().containsKey(r.tenant())) {
      return problem(Problem.notFound());
    }
    return page(
        r,
        v.backends().values().stream()
            .filter(b -> b.key().tenant().equals(r.tenant()))
            .map(b -> Map.entry(b.key().name(), RestBackends.write(b, v.revision(EntryKey.of(b)))))
            .toList());
  }

  private Future<Reply> getBackend(Request r) {
    TableView v = table.view();
    BackendObject b = v.backends().get(new BackendKey(r.tenant(), r.param("name")));
    if (b == null) {
      return problem(Problem.notFound());
    }
    long rev = v.revision(EntryKey.of(b));
    return Future.succeededFuture(Reply.json(200, RestBackends.write(b, rev)).etag(rev));
  }

  private Future<Reply> listCertificates(Request r) {
    TableView v = table.view();
    if (!v.tenants().containsKey(r.tenant())) {
      return problem(Problem.notFound());
    }
    return page(
        r,
        v.certificates().values().stream()
            .filter(c -> c.key().tenant().equals(r.tenant()))
            .map(
                c ->
                    Map.entry(
                        c.key().name(), CertificateJson.toJson(c, v.revision(EntryKey.of(c)))))
            .toList());
  }

  private Future<Reply> getCertificate(Request r) {
    TableView v = table.view();
    CertificateSpec c = v.certificates().get(new CertificateKey(r.tenant(), r.param("name")));
    if (c == null) {
      return problem(Problem.notFound());
    }
    long rev = v.revision(EntryKey.of(c));
    return Future.succeededFuture(Reply.json(200, CertificateJson.toJson(c, rev)).etag(rev));
  }

  private static Change change(Request r, Kind kind, boolean put) {
    return new Change(kind, put, r.param("name"), r.body(), ifMatch(r), "", "name");
  }

  private static Change hostChange(Request r, boolean put) {
    return new Change(
        Kind.HOST_CLAIM, put, r.param("host"), new JsonObject(), ifMatch(r), "", "host");
  }

  /** One PUT or DELETE of a tenant's object. */
  private Future<Reply> tenantChange(Request r, Change change) {
    TableView v = table.view();
    if (!v.tenants().containsKey(r.tenant())) {
      return problem(Problem.notFound());
    }
    Plan plan = planner.plan(v, r.tenant(), r.caller().admin(), List.of(change));
    if (plan instanceof Plan.Refused refused) {
      return problem(refused.problem());
    }
    Plan.Ready ready = (Plan.Ready) plan;
    Target target = ready.targets().get(0);
    return write(
        r,
        ready.batch(),
        (gen, revs) -> {
          if (!target.put()) {
            return Reply.empty(204);
          }
          long rev = revs.getOrDefault(target.key(), table.view().revision(target.key()));
          int status = target.existed() ? 200 : 201;
          JsonObject body =
              switch (target.kind()) {
                case ROUTE -> RestRoutes.write((RouteSpec) ready.value(target.key()), rev);
                case CERTIFICATE ->
                    CertificateJson.toJson((CertificateSpec) ready.value(target.key()), rev);
                case HOST_CLAIM ->
                    ResourceJson.hostClaim(new HostClaim(target.name(), r.tenant()), rev);
                case BACKEND -> RestBackends.write((BackendObject) ready.value(target.key()), rev);
              };
          return Reply.json(status, body).etag(rev);
        },
        target.key());
  }

  private Future<Reply> applyBatch(Request r) {
    TableView v = table.view();
    if (!v.tenants().containsKey(r.tenant())) {
      return problem(Problem.notFound());
    }
    JsonArray items = r.body().getJsonArray("items");
    List<Change> changes = new ArrayList<>();
    List<FieldError> errors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      String pointer = "/items/" + i;
      Kind kind = Kind.ofRest(item.getString("kind"));
      boolean put = "put".equals(item.getString("op"));
      String name = item.getString("name");
      String nameKey = kind == Kind.HOST_CLAIM ? normalizedOr(name) : name;
      if (!seen.add(kind + "/" + nameKey)) {
        errors.add(new FieldError(pointer + "/name", name, "each object once per batch"));
        continue;
      }
      JsonObject body = new JsonObject(); // empty for a delete and a host claim
      if (put && kind != Kind.HOST_CLAIM) {
        String field = kind.rest(); // route, certificate, backend
        body = item.getJsonObject(field);
        if (body == null) {
          errors.add(new FieldError(pointer + "/" + field, null, "the " + field + " to put"));
          continue;
        }
        pointer = pointer + "/" + field;
      }
      if (kind != Kind.HOST_CLAIM && !ChangeNames.NAME.matcher(name).matches()) {
        errors.add(new FieldError("/items/" + i + "/name", name, ChangeNames.NAME_RULE));
        continue;
      }
      long ifMatch = item.containsKey("ifMatch") ? etag(item.getString("ifMatch")) : -1;
      changes.add(new Change(kind, put, name, body, ifMatch, pointer, "/items/" + i + "/name"));
    }
    if (!errors.isEmpty()) {
      return problem(Problem.invalid(errors));
    }
    Plan plan = planner.plan(v, r.tenant(), r.caller().admin(), changes);
    if (plan instanceof Plan.Refused refused) {
      return problem(refused.problem());
    }
    Plan.Ready ready = (Plan.Ready) plan;
    return write(
        r,
        ready.batch(),
        (gen, revs) -> {
          JsonArray out = new JsonArray();
          for (Target t : ready.targets()) {
            long rev = t.put() ? revs.getOrDefault(t.key(), table.view().revision(t.key())) : 0L;
            out.add(
                new JsonObject()
                    .put("kind", t.kind().rest())
                    .put("name", t.name())
                    .put("revision", rev));
          }
          return Reply.json(200, new JsonObject().put("generation", gen).put("items", out));
        },
        null);
  }

  private static String normalizedOr(String host) {
    String normalized = Hostnames.normalizeConfigured("host", host).value();
    return normalized != null ? normalized : host; // null: not valid
  }

  // --- tokens and cluster ----------------------------------------------------------------------

  private Future<Reply> listTokens(Request r) {
    TableView v = table.view();
    return page(
        r,
        v.tokens().values().stream()
            .map(t -> Map.entry(t.id(), ResourceJson.token(t, v.revision(EntryKey.of(t)))))
            .toList());
  }

  private Future<Reply> getToken(Request r) {
    TableView v = table.view();
    TokenSpec t = v.tokens().get(r.path().get("tokenId"));
    if (t == null) {
      return problem(Problem.notFound());
    }
    long rev = v.revision(EntryKey.of(t));
    return Future.succeededFuture(Reply.json(200, ResourceJson.token(t, rev)).etag(rev));
  }

  private Future<Reply> createToken(Request r) {
    TableView v = table.view();
    String tenant = r.body().getString("tenant");
    TenantId id = tenant == null ? null : TenantId.of(tenant);
    if (id != null && !v.tenants().containsKey(id)) {
      return problem(Problem.notFound().with("pointer", "/tenant"));
    }
    Tokens.Issued issued =
        Tokens.issue(Tokens.newId(), id, r.body().getString("description", ""), clock.millis());
    EntryKey key = EntryKey.of(issued.spec());
    return write(
        r,
        Batch.of(Write.put(issued.spec(), Write.ABSENT)),
        (gen, revs) -> {
          long rev = revision(revs, key);
          return Reply.json(
                  201, ResourceJson.token(issued.spec(), rev).put("token", issued.bearer()))
              .etag(rev);
        },
        key);
  }

  private Future<Reply> rotateToken(Request r) {
    TableView v = table.view();
    TokenSpec old = v.tokens().get(r.path().get("tokenId"));
    if (old == null) {
      return problem(Problem.notFound());
    }
    EntryKey key = EntryKey.of(old);
    Tokens.Issued issued = Tokens.issue(old.id(), old.tenant(), old.description(), clock.millis());
    long expected = r.ifMatch() != null ? ifMatch(r) : v.revision(key);
    return write(
        r,
        Batch.of(Write.put(issued.spec(), expected)),
        (gen, revs) -> {
          long rev = revision(revs, key);
          return Reply.json(
                  200, ResourceJson.token(issued.spec(), rev).put("token", issued.bearer()))
              .etag(rev);
        },
        key);
  }

  private Future<Reply> revokeToken(Request r) {
    TableView v = table.view();
    TokenSpec t = v.tokens().get(r.path().get("tokenId"));
    if (t == null) {
      return problem(Problem.notFound());
    }
    if (t.admin() && v.tokens().values().stream().filter(TokenSpec::admin).count() == 1) {
      return problem(
          Problem.of(
              409,
              "last-admin-token",
              "The last admin token cannot be revoked",
              "create another admin token first"));
    }
    EntryKey key = EntryKey.of(t);
    return write(r, Batch.of(Write.delete(key, ifMatch(r))), (gen, revs) -> Reply.empty(204), key);
  }

  private Future<Reply> getCluster(Request r) {
    JsonArray members = new JsonArray();
    for (MemberInfo m : table.members()) {
      members.add(ResourceJson.member(m));
    }
    return Future.succeededFuture(
        Reply.json(
            200,
            new JsonObject().put("generation", table.view().generation()).put("members", members)));
  }

  // --- explain ---------------------------------------------------------------------------------

  /** Read-only: the caller's tenant scopes the answer, so any valid token may ask. */
  private Future<Reply> explainRequest(Request r) {
    JsonObject body = r.body();
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    JsonObject given = body.getJsonObject("headers", new JsonObject());
    for (String name : given.fieldNames()) {
      headers.putIfAbsent(
          name.toLowerCase(java.util.Locale.ROOT), String.valueOf(given.getValue(name)));
    }
    Explainer.Question q =
        new Explainer.Question(
            body.getString("method", "GET").toUpperCase(java.util.Locale.ROOT),
            body.getString("url"),
            headers,
            body.getString("sni"));
    Explainer.Result result = explainer.explain(q, r.caller().admin() ? null : r.caller().tenant());
    if (result == null) {
      return problem(Problem.of(503, "explain-unavailable", "This node cannot explain requests"));
    }
    if (result instanceof Explainer.Invalid bad) {
      return problem(
          Problem.invalid(List.of(new FieldError(bad.pointer(), bad.value(), bad.rule()))));
    }
    return Future.succeededFuture(
        Reply.json(200, ExplainJson.toJson((Explainer.Explanation) result)));
  }

  // --- shared ----------------------------------------------------------------------------------

  /** What the reply of an applied write is, given its generation and revisions. */
  private interface OnApplied {
    Reply reply(long generation, Map<EntryKey, Long> revisions);
  }

  /**
   * Applies {@code batch} off the event loop; answers 412 (or 409 for a lost host-claim race) when
   * a condition failed, then waits for the cluster when the request asked to.
   */
  private Future<Reply> write(
      Request r, Batch batch, OnApplied onApplied, @Nullable EntryKey main) {
    Duration wait;
    if ("all".equals(r.query().get("wait"))) {
      String raw = r.query().get("waitTimeout");
      Optional<Duration> d =
          raw == null ? Optional.of(options.defaultWaitTimeout()) : Quantities.parseDuration(raw);
      if (d.isEmpty() || d.get().compareTo(options.maxWaitTimeout()) > 0) {
        return problem(
            Problem.invalid(
                List.of(
                    new FieldError(
                        "waitTimeout",
                        raw,
                        "a duration up to "
                            + Quantities.formatDuration(options.maxWaitTimeout())))));
      }
      wait = d.get();
    } else {
      wait = null;
    }
    return vertx
        .executeBlocking(() -> table.apply(batch), false)
        .compose(
            outcome -> {
              if (outcome instanceof Outcome.Conflict conflict) {
                return problem(conflictProblem(r, conflict));
              }
              if (outcome instanceof Outcome.NotUpgraded refused) {
                return problem(notUpgradedProblem(refused, r.caller().admin()));
              }
              Outcome.Applied applied = (Outcome.Applied) outcome;
              long rev = main == null ? 0 : applied.revisions().getOrDefault(main, 0L);
              Reply reply =
                  onApplied
                      .reply(applied.generation(), applied.revisions())
                      .header("Gatehouse-Generation", Long.toString(applied.generation()));
              Written w = new Written(reply, applied.generation(), rev);
              return wait == null ? Future.succeededFuture(w.reply()) : awaitServed(w, wait);
            });
  }

  private Future<Reply> awaitServed(Written w, Duration timeout) {
    return Future.fromCompletionStage(
            table.awaitServed(w.generation(), timeout), vertx.getOrCreateContext())
        .map(
            (ServedReport report) -> {
              if (report.complete()) {
                return w.reply().header("Gatehouse-Served", "all");
              }
              JsonArray lagging = new JsonArray();
              report.lagging().forEach(m -> lagging.add(ResourceJson.member(m)));
              Reply lag =
                  Reply.json(
                          202,
                          new JsonObject()
                              .put("generation", w.generation())
                              .put("revision", w.revision())
                              .put("served", false)
                              .put("lagging", lagging))
                      .header("Gatehouse-Generation", Long.toString(w.generation()));
              String etag = w.reply().headers().get("ETag");
              return etag == null ? lag : lag.header("ETag", etag);
            });
  }

  private Problem conflictProblem(Request r, Outcome.Conflict conflict) {
    for (Outcome.Mismatch m : conflict.mismatches()) {
      if (m.key().kind() == EntryKind.HOST_CLAIM && m.expectedRevision() == Write.ABSENT) {
        HostClaim holder = table.view().hostClaims().get(m.key().id());
        TenantId owner = holder == null ? TenantId.of("unknown") : holder.tenant();
        return ChangePlanner.hostClaimed(m.key().id(), owner, r.caller().admin());
      }
    }
    Outcome.Mismatch first = conflict.mismatches().get(0);
    return Problem.of(
            412,
            "precondition-failed",
            "The entry changed since it was read",
            "expected revision " + first.expectedRevision() + ", found " + first.actualRevision())
        .with("currentRevision", first.actualRevision());
  }

  /**
   * 409 {@code cluster-not-upgraded}: the write needs an entry format some member cannot read yet
   * (a rolling upgrade in progress). Members are named by version and format; their ids and
   * addresses, which only {@code GET /v1/cluster} shows, only to admin tokens.
   */
  static Problem notUpgradedProblem(Outcome.NotUpgraded refused, boolean callerAdmin) {
    JsonArray members = new JsonArray();
    StringBuilder named = new StringBuilder();
    for (MemberInfo m : refused.members()) {
      JsonObject o =
          new JsonObject().put("version", m.version()).put("readsFormat", m.readsFormat());
      if (callerAdmin) {
        o.put("id", m.id()).put("address", m.address());
      }
      members.add(o);
      named
          .append(named.length() == 0 ? "" : ", ")
          .append(callerAdmin ? m.address() : "a member")
          .append(" (")
          .append(m.version())
          .append(", reads format ")
          .append(m.readsFormat())
          .append(')');
    }
    return Problem.of(
            409,
            "cluster-not-upgraded",
            "The cluster is not upgraded",
            "this change needs entry format "
                + refused.format()
                + ", which "
                + refused.members().size()
                + (refused.members().size() == 1 ? " member" : " members")
                + " cannot read: "
                + named
                + "; it is accepted once every member reads format "
                + refused.format()
                + " (finish the rolling upgrade)")
        .with("format", refused.format())
        .with("members", members);
  }

  /** A page of {@code entries} (key, JSON) sorted by key after the cursor's key. */
  private static Future<Reply> page(Request r, List<Map.Entry<String, JsonObject>> entries) {
    int limit = r.query().contains("limit") ? Integer.parseInt(r.query().get("limit")) : 100;
    String after = "";
    String cursor = r.query().get("cursor");
    if (cursor != null) {
      try {
        after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return problem(
            Problem.invalid(
                List.of(new FieldError("cursor", cursor, "a nextCursor from a previous page"))));
      }
    }
    String from = after;
    List<Map.Entry<String, JsonObject>> sorted =
        entries.stream()
            .filter(e -> e.getKey().compareTo(from) > 0)
            .sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
            .toList();
    List<Map.Entry<String, JsonObject>> pageItems =
        sorted.subList(0, Math.min(limit, sorted.size()));
    JsonArray items = new JsonArray();
    pageItems.forEach(e -> items.add(e.getValue()));
    Object next =
        sorted.size() > limit
            ? Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    pageItems.get(pageItems.size() - 1).getKey().getBytes(StandardCharsets.UTF_8))
            : null;
    return Future.succeededFuture(
        Reply.json(200, new JsonObject().put("items", items).put("nextCursor", next)));
  }

  /** The revision the applied batch gave {@code key}, one of its writes. */
  private static long revision(Map<EntryKey, Long> revisions, EntryKey key) {
    return Objects.requireNonNull(revisions.get(key), "a written key's revision");
  }

  private static long ifMatch(Request r) {
    return r.ifMatch() == null ? Write.ANY : etag(r.ifMatch());
  }

  /** {@code "7"} or {@code W/"7"}; bare {@code 7} is taken too (the contract checked the form). */
  static long etag(String value) {
    String v = value.startsWith("W/") ? value.substring(2) : value;
    return Long.parseLong(v.replace("\"", ""));
  }

  private static Future<Reply> problem(Problem p) {
    return Future.succeededFuture(Reply.of(p));
  }
}
