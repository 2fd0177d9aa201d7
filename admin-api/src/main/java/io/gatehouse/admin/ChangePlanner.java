package io.gatehouse.admin;

import io.gatehouse.admin.policy.HostOwnership;
import io.gatehouse.admin.translate.CertificateJson;
import io.gatehouse.admin.translate.FieldError;
import io.gatehouse.admin.translate.RestBackends;
import io.gatehouse.admin.translate.RestRoutes;
import io.gatehouse.admin.translate.Translated;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.EndpointPolicy;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a tenant's changes (one PUT/DELETE, or a batch) into one table {@link Batch}, given the
 * view it was read from: every item translated and validated (all bad fields reported together),
 * hosts checked against the claims the tenant will hold, certificates and claims still in use kept.
 * Pure: no I/O, the table arbitrates races through the writes' expected revisions.
 */
public final class ChangePlanner {
  /** What a change addresses. */
  public enum Kind {
    ROUTE("route"),
    CERTIFICATE("certificate"),
    HOST_CLAIM("hostClaim"),
    BACKEND("backend");

    private final String rest;

    Kind(String rest) {
      this.rest = rest;
    }

    public String rest() {
      return rest;
    }

    public static Kind ofRest(String rest) {
      for (Kind k : values()) {
        if (k.rest.equals(rest)) {
          return k;
        }
      }
      throw new IllegalArgumentException(rest);
    }
  }

  /**
   * One change. {@code body} is what a put of a route, certificate or backend puts (empty for a
   * delete and a host claim). {@code pointer} prefixes its field errors ({@code ""} for a single
   * request, {@code /items/3} in a batch); {@code namePointer} names where its name came from.
   */
  public record Change(
      Kind kind,
      boolean put,
      String name,
      JsonObject body,
      long ifMatch,
      String pointer,
      String namePointer) {}

  /** An item of a planned batch: what the answer reports. */
  public record Target(Kind kind, String name, EntryKey key, boolean existed, boolean put) {}

  /** The plan: refused with a problem, or ready to apply. */
  public sealed interface Plan {
    record Refused(Problem problem) implements Plan {}

    record Ready(Batch batch, List<Target> targets, Map<EntryKey, Object> values) implements Plan {
      /**
       * What the batch puts under {@code key}, the key of a route, certificate or backend it puts.
       */
      public Object value(EntryKey key) {
        return Objects.requireNonNull(values.get(key), "a put target's value");
      }
    }
  }

  /** A REST route names its hosts: a route for every host would take hosts of other tenants. */
  static final String NO_HOSTS_RULE = "at least one host, each claimed by the tenant";

  static final String SERVICE_RULE =
      "a backend that lists its endpoints (a REST route cannot refer to a Kubernetes Service)";

  private final EndpointPolicy endpoints;
  private final Clock clock;

  public ChangePlanner(EndpointPolicy endpoints, Clock clock) {
    this.endpoints = endpoints;
    this.clock = clock;
  }

  public Plan plan(TableView view, TenantId tenant, boolean callerAdmin, List<Change> changes) {
    List<FieldError> errors = new ArrayList<>();
    Map<String, HostClaim> claims = new HashMap<>(view.hostClaims());
    Map<String, CertificateSpec> certs = new HashMap<>();
    Map<String, ValidCertificate> validCerts = new HashMap<>();
    view.certificates()
        .forEach(
            (k, c) -> {
              if (k.tenant().equals(tenant)) {
                certs.put(k.name(), c);
              }
            });
    Map<String, RouteSpec> routes = new HashMap<>();
    view.routes()
        .forEach(
            (k, r) -> {
              if (k.tenant().equals(tenant)) {
                routes.put(k.source() + "/" + k.name(), r);
              }
            });
    List<Write> writes = new ArrayList<>();
    List<Target> targets = new ArrayList<>();
    Map<EntryKey, Object> values = new LinkedHashMap<>();
    List<String> released = new ArrayList<>();
    List<String> deletedCerts = new ArrayList<>();
    List<String> deletedBackends = new ArrayList<>();

    // Claims, certificates and backends first: routes in the same batch may rely on them.
    for (Change c : changes) {
      switch (c.kind()) {
        case HOST_CLAIM -> {
          Validated<String> host = Hostnames.normalizeConfigured("host", c.name());
          String h = host.value();
          if (h == null) { // not valid
            for (Violation v : host.violations()) {
              errors.add(new FieldError(c.namePointer(), v.value(), v.rule()));
            }
            continue;
          }
          EntryKey key = EntryKey.hostClaim(h);
          HostClaim held = claims.get(h);
          if (c.put()) {
            Optional<TenantId> blocker = HostOwnership.blocker(claims, tenant, h);
            if (blocker.isPresent()) {
              return refused(hostClaimed(h, blocker.get(), callerAdmin));
            }
            HostClaim claim = new HostClaim(h, tenant);
            claims.put(h, claim);
            if (held == null) {
              writes.add(Write.put(claim, Write.ABSENT));
              values.put(key, claim);
            }
            targets.add(new Target(Kind.HOST_CLAIM, h, key, held != null, true));
          } else {
            if (held == null || !held.tenant().equals(tenant)) {
              return refused(Problem.notFound().with("pointer", c.namePointer()));
            }
            claims.remove(h);
            released.add(h);
            writes.add(Write.delete(key, expected(c.ifMatch())));
            targets.add(new Target(Kind.HOST_CLAIM, h, key, true, false));
          }
        }
        case CERTIFICATE -> {
          CertificateKey ck = new CertificateKey(tenant, c.name());
          if (ck.kubernetesOwned()) {
            errors.add(new FieldError(c.namePointer(), c.name(), ChangeNames.RESERVED_RULE));
            continue;
          }
          EntryKey key = EntryKey.certificate(ck);
          boolean existed = certs.containsKey(c.name());
          if (c.put()) {
            CertificateSpec spec = CertificateJson.fromJson(ck, c.body());
            Validated<ValidCertificate> valid = CertificateValidator.validate(spec, clock);
            if (!valid.isValid()) {
              for (Violation v : valid.violations()) {
                errors.add(CertificateJson.fieldError(v).under(c.pointer()));
              }
              continue;
            }
            certs.put(c.name(), spec);
            validCerts.put(c.name(), valid.value());
            writes.add(Write.put(spec, expected(c.ifMatch())));
            values.put(key, spec);
          } else {
            if (!existed) {
              return refused(Problem.notFound().with("pointer", c.namePointer()));
            }
            certs.remove(c.name());
            deletedCerts.add(c.name());
            writes.add(Write.delete(key, expected(c.ifMatch())));
          }
          targets.add(new Target(Kind.CERTIFICATE, c.name(), key, existed, c.put()));
        }
        case BACKEND -> {
          BackendKey bk = new BackendKey(tenant, c.name());
          EntryKey key = EntryKey.backend(bk);
          BackendObject held = view.backends().get(bk);
          if (held != null && !held.source().equals(RestBackends.SOURCE)) {
            return refused(ownedElsewhere(c.name(), held.source()));
          }
          if (!c.put()) {
            if (held == null) {
              return refused(Problem.notFound().with("pointer", c.namePointer()));
            }
            deletedBackends.add(c.name());
            writes.add(Write.delete(key, expected(c.ifMatch())));
            targets.add(new Target(Kind.BACKEND, c.name(), key, true, false));
            continue;
          }
          // The backend document, read as the routes file reads one item of backends:.
          Translated<BackendObject> read = RestBackends.read(bk, c.body());
          BackendObject backend = read.value();
          if (backend == null) { // not valid
            read.errors().forEach(e -> errors.add(e.under(c.pointer())));
            continue;
          }
          // REST's own rule, as for a route's backend: no endpoint the policy denies.
          List<Endpoint> eps = backend.spec().endpoints();
          boolean denied = false;
          for (int i = 0; i < eps.size(); i++) {
            String refusal = endpoints.refusal(eps.get(i).host());
            if (refusal != null) {
              denied = true;
              errors.add(
                  new FieldError(
                      c.pointer() + RestBackends.endpointPointer(c.body(), i),
                      eps.get(i).authority(),
                      refusal));
            }
          }
          if (denied) {
            continue;
          }
          writes.add(Write.put(backend, expected(c.ifMatch())));
          values.put(key, backend);
          targets.add(new Target(Kind.BACKEND, c.name(), key, held != null, true));
        }
        case ROUTE -> {}
      }
    }

    List<FieldError> unclaimed = new ArrayList<>();
    for (Change c : changes) {
      if (c.kind() != Kind.ROUTE) {
        continue;
      }
      RouteKey rk = new RouteKey(tenant, RestRoutes.SOURCE, c.name());
      EntryKey key = EntryKey.route(rk);
      String local = RestRoutes.SOURCE + "/" + c.name();
      boolean existed = routes.containsKey(local);
      if (!c.put()) {
        if (!existed) {
          return refused(Problem.notFound().with("pointer", c.namePointer()));
        }
        routes.remove(local);
        writes.add(Write.delete(key, expected(c.ifMatch())));
        targets.add(new Target(Kind.ROUTE, c.name(), key, true, false));
        continue;
      }
      // The route document, read as the routes file reads it (same forms, same texts), over the
      // stored route: secrets an answer leaves out (password hashes, inline keys) are kept.
      Translated<RouteSpec> read = RestRoutes.read(rk, c.body(), routes.get(local));
      RouteSpec route = read.value();
      if (route == null) { // not valid
        read.errors().forEach(e -> errors.add(e.under(c.pointer())));
        continue;
      }
      // REST's own rules, not the document's: named hosts only, and no endpoint the policy denies.
      if (route.hosts().isEmpty()) {
        errors.add(new FieldError(c.pointer() + "/hosts", null, NO_HOSTS_RULE));
      }
      // Every backend of a split is checked, as the only one is. A Kubernetes Service port would
      // resolve in the namespace named like the tenant, past the endpoint policy: refused here.
      List<RouteBackend> backends = route.backends();
      for (int b = 0; b < backends.size(); b++) {
        if (backends.get(b).ref() instanceof BackendRef.ServicePort sp) {
          errors.add(
              new FieldError(
                  c.pointer() + RestRoutes.backendPointer(c.body(), b) + "/service",
                  sp.service(),
                  SERVICE_RULE));
          continue;
        }
        if (!(backends.get(b).ref() instanceof BackendSpec spec)) {
          continue; // named: checked by the source that wrote the backend (REST: as here)
        }
        List<Endpoint> eps = spec.endpoints();
        for (int i = 0; i < eps.size(); i++) {
          String refusal = endpoints.refusal(eps.get(i).host());
          if (refusal != null) {
            errors.add(
                new FieldError(
                    c.pointer() + RestRoutes.endpointPointer(c.body(), b, i),
                    eps.get(i).authority(),
                    refusal));
          }
        }
      }
      // A mirror's backend (it receives the same requests) and an error pages backend (fetched
      // from) are checked as a route's backend is: the same two rules.
      List<PolicySpec> policies = route.policies();
      for (int p = 0; p < policies.size(); p++) {
        if (policies.get(p) instanceof RequestMirror m) {
          refuseBackend(m.backendRef(), c.pointer() + "/policies/" + p + "/backendRef", errors);
        }
      }
      for (int p = 0; p < policies.size(); p++) {
        if (policies.get(p) instanceof ErrorPages pages && pages.backend() != null) {
          refuseBackend(pages.backend(), c.pointer() + "/policies/" + p + "/backend", errors);
        }
      }
      for (int i = 0; i < route.hosts().size(); i++) {
        String h = route.hosts().get(i);
        if (!HostOwnership.owner(claims, h).map(tenant::equals).orElse(false)) {
          unclaimed.add(
              new FieldError(
                  c.pointer() + "/hosts/" + i,
                  h,
                  "a host claimed by tenant '" + tenant + "' (claim it first)"));
        }
      }
      // A passthrough route names no certificate: the backend's own is served.
      if (route.tls() != null && !route.tls().passthrough()) {
        String certName = route.tls().certificateName();
        ValidCertificate cert = validCerts.get(certName);
        if (cert == null && certs.containsKey(certName)) {
          // Validated when stored; parse it again to check coverage (its dates may have passed).
          Validated<ValidCertificate> again =
              CertificateValidator.validate(certs.get(certName), clock);
          cert = again.value();
        }
        Validated<?> tls = CertificateValidator.validateTls(tenant, route.tls(), cert);
        if (!tls.isValid()) {
          tls.violations().forEach(v -> errors.add(RestRoutes.fieldError(v).under(c.pointer())));
        }
      }
      routes.put(local, route);
      writes.add(Write.put(route, expected(c.ifMatch())));
      values.put(key, route);
      targets.add(new Target(Kind.ROUTE, c.name(), key, existed, true));
    }

    if (!errors.isEmpty()) {
      return refused(Problem.invalid(errors));
    }
    if (!unclaimed.isEmpty()) {
      return refused(
          new Problem(
              403,
              "host-not-claimed",
              "A host of the route is not claimed by its tenant",
              unclaimed.size() + (unclaimed.size() == 1 ? " host" : " hosts"),
              unclaimed,
              new JsonObject()));
    }
    // Whatever the batch removes must not leave a route without its certificate, its host or a
    // backend it names (routes of every source of the tenant: a file route may name a REST one).
    for (RouteSpec r : routes.values()) {
      if (!deletedBackends.isEmpty()) {
        for (RouteBackend b : r.backends()) {
          if (b.ref() instanceof BackendRef.Named n && deletedBackends.contains(n.name())) {
            return refused(backendInUse(r, n.name()));
          }
        }
        for (PolicySpec p : r.policies()) {
          if (p instanceof RequestMirror m
              && m.backendRef() instanceof BackendRef.Named n
              && deletedBackends.contains(n.name())) {
            return refused(backendInUse(r, n.name()));
          }
        }
      }
      if (r.tls() != null && deletedCerts.contains(r.tls().certificateName())) {
        return refused(
            Problem.of(
                409,
                "certificate-in-use",
                "A route still uses the certificate",
                "route '"
                    + r.key().name()
                    + "' names certificate '"
                    + r.tls().certificateName()
                    + "'"));
      }
      if (!released.isEmpty()) {
        for (String h : r.hosts()) {
          if (!HostOwnership.owner(claims, h).map(tenant::equals).orElse(false)) {
            return refused(
                Problem.of(
                    409,
                    "claim-in-use",
                    "A route still routes a host of the claim",
                    "route '" + r.key().name() + "' routes " + h));
          }
        }
      }
    }
    return new Plan.Ready(new Batch(writes, true), targets, values);
  }

  /** 409: a backend of the tenant that another source (the routes file) writes and deletes. */
  static Problem ownedElsewhere(String name, String source) {
    return Problem.of(
            409,
            "backend-owned-elsewhere",
            "The backend belongs to another source",
            "backend '"
                + name
                + "' is written by the "
                + source
                + " source; change it there (or use another name)")
        .with("source", source);
  }

  /** 409: the batch would delete a backend that a remaining route names. */
  static Problem backendInUse(RouteSpec route, String backend) {
    return Problem.of(
            409,
            "backend-in-use",
            "A route still names the backend",
            "route '"
                + route.key().name()
                + "' (source "
                + route.key().source()
                + ") names backend '"
                + backend
                + "'; change or delete the route first")
        .with("route", route.key().source() + "/" + route.key().name());
  }

  static Problem hostClaimed(String host, TenantId owner, boolean callerAdmin) {
    Problem p =
        Problem.of(409, "host-claimed", "The host is claimed by another tenant", "host " + host);
    return callerAdmin ? p.with("owner", owner.value()) : p;
  }

  private static long expected(long ifMatch) {
    return ifMatch < 0 ? Write.ANY : ifMatch;
  }

  private static Plan refused(Problem p) {
    return new Plan.Refused(p);
  }

  /** A policy's backend at {@code at}: no Service port over REST, endpoints within the policy. */
  private void refuseBackend(BackendRef ref, String at, List<FieldError> errors) {
    if (ref instanceof BackendRef.ServicePort sp) {
      errors.add(new FieldError(at + "/service", sp.service(), SERVICE_RULE));
    } else if (ref instanceof BackendSpec spec) {
      List<Endpoint> eps = spec.endpoints();
      for (int i = 0; i < eps.size(); i++) {
        String refusal = endpoints.refusal(eps.get(i).host());
        if (refusal != null) {
          errors.add(new FieldError(at + "/endpoints/" + i, eps.get(i).authority(), refusal));
        }
      }
    }
  }
}
