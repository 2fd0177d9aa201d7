package io.gatehouse.k8s.translate.gateway;

import static io.gatehouse.k8s.translate.gateway.GatewayCondition.ACCEPTED;
import static io.gatehouse.k8s.translate.gateway.GatewayCondition.RESOLVED_REFS;
import static io.gatehouse.k8s.translate.gateway.GatewayCondition.SUPPORTED_VERSION;
import static io.gatehouse.k8s.translate.gateway.GatewayListeners.ROUTE_KINDS;
import static io.gatehouse.k8s.translate.gateway.GatewayListeners.messages;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.HostClaimant;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.gateway.GatewayListeners.GatewayInfo;
import io.gatehouse.k8s.translate.gateway.GatewayListeners.ListenerInfo;
import io.gatehouse.k8s.translate.gateway.GatewayListeners.ListenerSetInfo;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Backend;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Gateway;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.GatewayClass;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.GatewayListenerSet;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Ref;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.ReferenceGrant;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Route;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Rule;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ClassStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ParentRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteGroupKind;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteParentStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteStatus;
import io.gatehouse.k8s.translate.gateway.RouteRules.Match;
import io.gatehouse.k8s.translate.gateway.RouteRules.Unsupported;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One Gateway API translation: reads the objects once, decides classes, listeners and route
 * attachments in the constructor (none of that depends on Ingresses), then {@link #translate}
 * applies the host ownership rule and writes routes and statuses.
 */
final class GatewayRun {

  /** The Gateway API release whose CRDs Gatehouse is built and tested against. */
  static final String API_VERSION = "v1.7.0";

  private static final String H2C_APP_PROTOCOL = "kubernetes.io/h2c";

  /** Route names: the route model's name pattern, at most this long (longer ones are hashed). */
  private static final int MAX_NAME = 253;

  private final GatewaySettings settings;
  private final ClusterState cluster;
  private final Map<String, HostClaim> claims;
  private final ReferenceGrants grants;
  private final GatewayListeners listeners;
  private final BackendTlsPolicies backendTls;

  private final List<ObjectStatus> statuses = new ArrayList<>();
  private final Map<String, GatewayInfo> gateways = new TreeMap<>();

  /** ListenerSets naming a Gateway of ours, by namespace/name. */
  private final Map<String, ListenerSetInfo> listenerSets = new TreeMap<>();

  private final List<RouteInfo> routes = new ArrayList<>();

  /** Namespaces a listener's selector group is evaluated over: every one that can claim a host. */
  private final Set<String> knownNamespaces = new TreeSet<>();

  GatewayRun(
      GatewaySettings settings,
      Clock clock,
      ClusterState cluster,
      GatewayState state,
      Map<String, HostClaim> claims) {
    this.settings = settings;
    this.cluster = cluster;
    this.claims = claims;
    List<ReferenceGrant> read = new ArrayList<>();
    for (Map<String, Object> o : state.objects(GatewayKind.REFERENCE_GRANT)) {
      read.add(GatewayObjects.referenceGrant(o));
    }
    this.grants = new ReferenceGrants(read);
    this.listeners = new GatewayListeners(settings, clock, cluster, state, grants, knownNamespaces);
    this.backendTls = new BackendTlsPolicies(cluster, state);
    Set<String> ours = classes(state);
    List<Gateway> served = new ArrayList<>();
    for (Map<String, Object> o : state.objects(GatewayKind.GATEWAY)) {
      Gateway g = GatewayObjects.gateway(o);
      if (ours.contains(g.className())) {
        served.add(g);
      }
    }
    Map<String, GatewayAddresses.Assignment> assigned =
        settings.pooled() ? GatewayAddresses.assign(settings.pool(), served) : Map.of();
    for (Gateway g : served) {
      gateways.put(g.meta().path(), listeners.listeners(g, assigned.get(g.meta().path())));
      knownNamespaces.add(g.meta().namespace());
    }
    Map<String, List<GatewayListenerSet>> byParent = new HashMap<>();
    for (Map<String, Object> o : state.objects(GatewayKind.LISTENER_SET)) {
      GatewayListenerSet set = GatewayObjects.listenerSet(o);
      Ref parent = set.parent();
      if (parent.group().equals(GatewayKind.GROUP)
          && parent.kind().equals(GatewayKind.GATEWAY.kind())
          && gateways.containsKey(parent.namespace() + "/" + parent.name())) {
        byParent
            .computeIfAbsent(parent.namespace() + "/" + parent.name(), k -> new ArrayList<>())
            .add(set);
      } // else another controller's Gateway, or none: no status of ours
    }
    byParent.forEach(
        (path, sets) -> {
          GatewayInfo gw = Objects.requireNonNull(gateways.get(path));
          listeners.listenerSets(gw, sets);
          for (ListenerSetInfo ls : gw.sets) {
            listenerSets.put(ls.set.meta().path(), ls);
            knownNamespaces.add(ls.set.meta().namespace());
          }
        });
    for (GatewayKind kind : ROUTE_KINDS) {
      for (Map<String, Object> o : state.objects(kind)) {
        Route r = GatewayObjects.route(kind, o);
        knownNamespaces.add(r.meta().namespace());
        RouteInfo info = attach(r);
        if (!info.parents.isEmpty()) {
          routes.add(info);
        }
      }
    }
    for (V1Ingress i : cluster.ingresses()) {
      if (i.getMetadata() != null && i.getMetadata().getNamespace() != null) {
        knownNamespaces.add(i.getMetadata().getNamespace());
      }
    }
    routes.sort(
        Comparator.comparing((RouteInfo r) -> r.route.meta().created(), NULLS_LAST)
            .thenComparing(r -> r.route.meta().namespace())
            .thenComparing(r -> r.route.meta().name())
            .thenComparing(r -> r.route.kind()));
    for (RouteInfo r : routes) {
      build(r);
    }
  }

  private static final Comparator<@Nullable OffsetDateTime> NULLS_LAST =
      Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder());

  // ---------------------------------------------------------------- classes

  private Set<String> classes(GatewayState state) {
    Set<String> ours = new HashSet<>();
    for (Map<String, Object> o : state.objects(GatewayKind.GATEWAY_CLASS)) {
      GatewayClass c = GatewayObjects.gatewayClass(o);
      if (!settings.controllerName().equals(c.controllerName())) {
        continue; // another controller's class: no status of ours
      }
      ours.add(c.meta().name());
      long gen = c.meta().generation();
      statuses.add(
          new ClassStatus(
              new ObjectRef(GatewayKind.GATEWAY_CLASS, "", c.meta().name()),
              List.of(
                  GatewayCondition.yes(
                      ACCEPTED, "Accepted", "served by " + settings.controllerName(), gen),
                  GatewayCondition.yes(
                      SUPPORTED_VERSION,
                      "SupportedVersion",
                      "Gatehouse serves Gateway API " + API_VERSION,
                      gen))));
    }
    return ours;
  }

  // ---------------------------------------------------------------- gateways and listeners
  // ---------------------------------------------------------------- routes

  /** A route with its parents of ours. */
  private static final class RouteInfo {
    final Route route;
    final List<ParentInfo> parents = new ArrayList<>();

    /** Set when the route asks for what Gatehouse cannot serve: nothing of it is served. */
    @Nullable String unsupported;

    @Nullable GatewayCondition unresolved;

    /** Its matches, each a route spec before hosts, TLS and priority. */
    final List<MatchSpec> specs = new ArrayList<>();

    RouteInfo(Route route) {
      this.route = route;
    }

    String what() {
      return route.kind().kind() + " " + route.meta().path();
    }

    /** A TLSRoute: its hosts pass TLS through by SNI name, it has no HTTP match. */
    boolean passthrough() {
      return route.kind() == GatewayKind.TLS_ROUTE;
    }

    ObjectRef ref() {
      return new ObjectRef(route.kind(), route.meta().namespace(), route.meta().name());
    }
  }

  /** One parentRef naming a Gateway of ours: the listeners it attached to, or why none. */
  private static final class ParentInfo {
    final ParentRef ref;
    final GatewayInfo gateway;
    final List<Attachment> attachments = new ArrayList<>();
    @Nullable GatewayCondition refused;

    /** Hosts another group holds: host to the holder's description. */
    final Map<String, String> lost = new LinkedHashMap<>();

    /** How many (listener, host) pairs of this parent are served. */
    int served;

    ParentInfo(ParentRef ref, GatewayInfo gateway) {
      this.ref = ref;
      this.gateway = gateway;
    }
  }

  private record Attachment(ListenerInfo listener, List<String> hosts) {}

  /** A match of a rule: everything of its route spec but hosts, TLS and priority. */
  private record MatchSpec(
      int rule,
      int match,
      Match conditions,
      List<RouteBackend> backends,
      Timeouts timeouts,
      List<PolicySpec> policies) {}

  private RouteInfo attach(Route r) {
    RouteInfo info = new RouteInfo(r);
    String ns = r.meta().namespace();
    long gen = r.meta().generation();
    // a route counts once per listener, however many of its parentRefs reach it
    Set<ListenerInfo> counted =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    List<String> hostnames = new ArrayList<>();
    for (String h : r.hostnames()) {
      Validated<String> v = Hostnames.normalizeGatewayHostname("hostnames", h);
      hostnames.add(v.value() != null ? v.value() : h.toLowerCase(java.util.Locale.ROOT));
    }
    for (ParentRef p : r.parentRefs()) {
      String group = p.group() == null ? GatewayKind.GROUP : p.group();
      String kind = p.kind() == null ? GatewayKind.GATEWAY.kind() : p.kind();
      String path = (p.namespace() == null ? ns : p.namespace()) + "/" + p.name();
      GatewayInfo gw;
      List<ListenerInfo> candidates;
      String parentWhat;
      ListenerSetInfo set = null;
      if (!group.equals(GatewayKind.GROUP)) {
        continue; // not a Gateway API parent
      } else if (kind.equals(GatewayKind.GATEWAY.kind())) {
        gw = gateways.get(path);
        if (gw == null) {
          continue; // not a Gateway of ours: another controller's, or none
        }
        // a Gateway parentRef names the Gateway's own listeners, never a ListenerSet's
        candidates = gw.own();
        parentWhat = "Gateway " + gw.gateway.meta().path();
      } else if (kind.equals(GatewayKind.LISTENER_SET.kind())) {
        set = listenerSets.get(path);
        if (set == null) {
          continue; // not a ListenerSet of a Gateway of ours
        }
        gw = set.gateway;
        candidates = set.listeners;
        parentWhat = set.what();
      } else {
        continue; // another kind of parent: not ours
      }
      ParentInfo parent = new ParentInfo(p, gw);
      info.parents.add(parent);
      if (set != null && set.notAllowed != null) {
        parent.refused =
            GatewayCondition.no(
                ACCEPTED,
                "NotAllowedByListeners",
                parentWhat + " is not attached to its Gateway: " + set.notAllowed.message(),
                gen);
        continue;
      }
      List<ListenerInfo> named = new ArrayList<>();
      for (ListenerInfo li : candidates) {
        if ((p.sectionName() == null || p.sectionName().equals(li.listener.name()))
            && (p.port() == null || p.port() == li.listener.port())) {
          named.add(li);
        }
      }
      if (named.isEmpty()) {
        parent.refused =
            GatewayCondition.no(
                ACCEPTED, "NoMatchingParent", parentWhat + " has no listener" + narrowedBy(p), gen);
        continue;
      }
      RouteGroupKind rk = new RouteGroupKind(GatewayKind.GROUP, r.kind().kind());
      List<ListenerInfo> allowed = new ArrayList<>();
      for (ListenerInfo li : named) {
        if (li.accepted() && li.kinds.contains(rk) && listeners.admits(li, ns)) {
          allowed.add(li);
        }
      }
      if (allowed.isEmpty()) {
        // a TLSRoute on listeners of another protocol: the type's comment says UnsupportedValue,
        // the conformance suite (TLSRouteInvalidNoMatchingListener) checks this reason
        boolean protocol =
            info.passthrough() && named.stream().noneMatch(ListenerInfo::passthrough);
        parent.refused =
            GatewayCondition.no(
                ACCEPTED,
                "NotAllowedByListeners",
                protocol
                    ? "TLSRoute attaches to listeners of protocol TLS only; "
                        + parentWhat
                        + " has none"
                        + narrowedBy(p)
                    : "no accepted listener of "
                        + parentWhat
                        + (p.sectionName() == null ? "" : " named \"" + p.sectionName() + "\"")
                        + " admits "
                        + r.kind().kind()
                        + " from namespace "
                        + ns
                        + " (allowedRoutes)",
                gen);
        continue;
      }
      boolean nameless = false;
      boolean isolated = false;
      for (ListenerInfo li : allowed) {
        List<String> hosts = ListenerHosts.intersect(li.hostname, hostnames);
        if (info.passthrough() && hosts.contains(ListenerHosts.ANY)) {
          // passthrough routes by the SNI name alone: "every host" names none to route by
          nameless = true;
          hosts = List.of();
        }
        if (!hosts.isEmpty()) {
          // attached only with a hostname in common (the conformance suite's
          // GatewayWithAttachedRoutes: a NoMatchingListenerHostname route is not counted)
          if (counted.add(li)) {
            li.attached++;
          }
          List<String> served = isolate(gw, li, hosts);
          if (served.isEmpty()) {
            isolated = true; // attached, but every name it has belongs to a narrower listener
          } else {
            parent.attachments.add(new Attachment(li, served));
          }
        }
      }
      if (parent.attachments.isEmpty() && isolated) {
        continue;
      }
      if (parent.attachments.isEmpty() && nameless) {
        parent.refused =
            GatewayCondition.no(
                ACCEPTED,
                "UnsupportedValue",
                "spec.hostnames: none, on a listener without hostname (expected: at least one"
                    + " hostname, the SNI name TLS passes through by)",
                gen);
      } else if (parent.attachments.isEmpty()) {
        parent.refused =
            GatewayCondition.no(
                ACCEPTED,
                "NoMatchingListenerHostname",
                "no hostname of the route "
                    + hostnames
                    + " matches the hostname of a listener it may attach to",
                gen);
      }
    }
    return info;
  }

  /**
   * Listener isolation (Gateway API: a request is handled by the most specific listener whose
   * hostname matches it, and only by routes attached to that listener): of a route's hosts on
   * {@code li}, those that an accepted listener of the same Gateway and port with a narrower
   * hostname and the same protocol also matches are left to that listener. A route of {@code
   * *.example.com} that names {@code abc.foo.example.com} does not serve it when a listener {@code
   * abc.foo.example.com} exists beside its own.
   */
  private static List<String> isolate(GatewayInfo gw, ListenerInfo li, List<String> hosts) {
    List<String> narrower = new ArrayList<>();
    for (ListenerInfo other : gw.listeners) {
      if (other != li
          && other.accepted()
          && other.hostname != null
          && other.listener.port() == li.listener.port()
          // between TLS passthrough and HTTPS on one port the passthrough name wins (as before)
          && other.listener.protocol().equals(li.listener.protocol())
          && (li.hostname == null || ListenerHosts.covers(li.hostname, other.hostname))) {
        narrower.add(other.hostname);
      }
    }
    if (narrower.isEmpty()) {
      return hosts;
    }
    List<String> out = new ArrayList<>(hosts.size());
    for (String h : hosts) {
      boolean taken = false;
      for (String n : narrower) {
        if (!h.equals(ListenerHosts.ANY) && (n.equals(h) || ListenerHosts.covers(n, h))) {
          taken = true;
          break;
        }
      }
      if (!taken) {
        out.add(h);
      }
    }
    return out;
  }

  /** How a parentRef narrows its Gateway's listeners, for messages: name and port. */
  private static String narrowedBy(ParentRef p) {
    return (p.sectionName() == null ? "" : " named \"" + p.sectionName() + "\"")
        + (p.port() == null ? "" : " on port " + p.port());
  }

  /** The route's matches as specs, its backends resolved, or why it cannot be served. */
  private void build(RouteInfo info) {
    if (info.passthrough()) {
      buildPassthrough(info);
      return;
    }
    Route r = info.route;
    long gen = r.meta().generation();
    boolean grpc = r.kind() == GatewayKind.GRPC_ROUTE;
    try {
      for (int i = 0; i < r.rules().size(); i++) {
        Rule rule = r.rules().get(i);
        String rf = "spec.rules[" + i + "]";
        List<RouteBackend> backends = new ArrayList<>();
        for (int k = 0; k < rule.backendRefs().size(); k++) {
          Backend b = rule.backendRefs().get(k);
          String bf = rf + ".backendRefs[" + k + "]";
          List<PolicySpec> own = RouteRules.backendFilters(bf + ".filters", b.filters());
          BackendRef target = backend(info, bf, b.ref(), b.port(), grpc, gen);
          backends.add(new RouteBackend(target, b.weight(), null, own));
        }
        if (backends.isEmpty()) {
          // no backend: every request of the rule gets 500, as the spec asks
          backends.add(
              RouteBackend.of(
                  new BackendRef.Unresolved(UNRESOLVED_STATUS, rf + ": no backendRefs")));
        }
        List<PolicySpec> policies =
            RouteRules.filters(
                rf + ".filters",
                rule.filters(),
                (field, ref) -> ref.isEmpty() ? null : mirrorTarget(info, field, ref, grpc, gen));
        Timeouts timeouts = timeouts(rf + ".timeouts", rule);
        Retry retry =
            RouteRules.retry(rf + ".retry", rule.retry(), rule.backendRequestTimeout() != null);
        if (retry != null) {
          policies = new ArrayList<>(policies);
          policies.add(retry);
        }
        List<Match> matches = new ArrayList<>();
        for (int j = 0; j < rule.matches().size(); j++) {
          Map<String, Object> m = rule.matches().get(j);
          String mf = rf + ".matches[" + j + "]";
          matches.add(grpc ? RouteRules.grpcMatch(mf, m) : RouteRules.httpMatch(mf, m));
        }
        if (matches.isEmpty()) {
          matches.add(RouteRules.ALL);
        }
        for (int j = 0; j < matches.size(); j++) {
          info.specs.add(new MatchSpec(i, j, matches.get(j), backends, timeouts, policies));
        }
      }
      // the model's own checks (RE2 syntax, header names, redirect values...) before serving
      for (MatchSpec s : info.specs) {
        Validated<RouteSpec> v = RouteValidator.validate(spec(info, s, List.of(), null, 0));
        if (!v.isValid()) {
          throw new Unsupported(
              "spec.rules["
                  + s.rule()
                  + "]"
                  + (s.match() >= 0 ? ".matches[" + s.match() + "]" : "")
                  + ": "
                  + messages(v.violations()));
        }
      }
    } catch (Unsupported e) {
      info.unsupported = e.getMessage();
      info.specs.clear();
    }
  }

  /**
   * A TLSRoute's one rule: its weighted backends, an unresolved one keeping its weight (the
   * connections it would get are refused, as the spec asks), or why it cannot be served.
   */
  private void buildPassthrough(RouteInfo info) {
    Route r = info.route;
    long gen = r.meta().generation();
    try {
      for (int i = 0; i < r.hostnames().size(); i++) {
        String field = "spec.hostnames[" + i + "]";
        Validated<String> h = Hostnames.normalizeGatewayHostname(field, r.hostnames().get(i));
        if (!h.isValid()) {
          throw new Unsupported(messages(h.violations()));
        }
      }
      if (r.rules().size() != 1) {
        throw new Unsupported(
            "spec.rules: " + r.rules().size() + " rules (expected: exactly one, as the CRD says)");
      }
      Rule rule = r.rules().get(0);
      List<RouteBackend> backends = new ArrayList<>();
      for (int k = 0; k < rule.backendRefs().size(); k++) {
        Backend b = rule.backendRefs().get(k);
        BackendRef target =
            backend(info, "spec.rules[0].backendRefs[" + k + "]", b.ref(), b.port(), false, gen);
        backends.add(new RouteBackend(target, b.weight()));
      }
      if (backends.isEmpty()) {
        // no backend: every connection is refused, as the spec asks
        backends.add(
            RouteBackend.of(
                new BackendRef.Unresolved(UNRESOLVED_STATUS, "spec.rules[0]: no backendRefs")));
      }
      MatchSpec m = new MatchSpec(0, 0, RouteRules.ALL, backends, Timeouts.DEFAULTS, List.of());
      Validated<RouteSpec> v = RouteValidator.validate(spec(info, m, List.of(), null, 0));
      if (!v.isValid()) {
        throw new Unsupported("spec.rules[0]: " + messages(v.violations()));
      }
      info.specs.add(m);
    } catch (Unsupported e) {
      info.unsupported = e.getMessage();
    }
  }

  /**
   * What Gatehouse answers for a backendRef that does not resolve, and for a rule without any: the
   * spec's 500 ("requests that would have been sent to an invalid backend").
   */
  static final int UNRESOLVED_STATUS = 500;

  private @Nullable BackendRef mirrorTarget(
      RouteInfo info, String field, Map<String, Object> raw, boolean grpc, long gen) {
    Ref ref = GatewayObjects.ref(raw, GatewayObjects.CORE, "Service");
    Integer port = raw.get("port") instanceof Number n ? n.intValue() : null;
    BackendRef target = backend(info, field, ref, port, grpc, gen);
    return target instanceof BackendRef.Unresolved ? null : target;
  }

  /**
   * A Service port the route may use (of another namespace when a ReferenceGrant there permits it),
   * or a {@link BackendRef.Unresolved} backend answering 500, with the route's ResolvedRefs
   * condition set to why (the first reason met).
   */
  private BackendRef backend(
      RouteInfo info, String field, Ref ref, @Nullable Integer port, boolean grpc, long gen) {
    String routeNs = info.route.meta().namespace();
    String ns = ref.namespace() == null ? routeNs : ref.namespace();
    String what = ns + "/" + ref.name();
    if (!ref.group().equals(GatewayObjects.CORE) || !ref.kind().equals("Service")) {
      return unresolved(
          info,
          "InvalidKind",
          field + ": " + ref.group() + "/" + ref.kind() + " (expected: a core Service)",
          gen);
    }
    if (!ns.equals(routeNs)) {
      if (!grants.granted(
          info.route.kind().kind(), routeNs, GatewayObjects.CORE, "Service", ns, ref.name())) {
        return unresolved(
            info,
            "RefNotPermitted",
            field
                + ": Service "
                + what
                + " is in another namespace and no ReferenceGrant there allows "
                + info.route.kind().kind()
                + "s of "
                + routeNs
                + " to use it",
            gen);
      }
    }
    Optional<V1Service> svc = cluster.service(ns, ref.name());
    if (svc.isEmpty()) {
      return unresolved(info, "BackendNotFound", field + ": Service " + what + " not found", gen);
    }
    if (port == null) {
      return unresolved(info, "BackendNotFound", field + ".port: missing", gen);
    }
    V1ServicePort sp = null;
    List<V1ServicePort> ports =
        svc.get().getSpec() == null || svc.get().getSpec().getPorts() == null
            ? List.of()
            : svc.get().getSpec().getPorts();
    for (V1ServicePort p : ports) {
      if (p.getPort() != null && p.getPort().equals(port)) {
        sp = p;
      }
    }
    if (sp == null) {
      return unresolved(
          info, "BackendNotFound", field + ": Service " + what + " has no port " + port, gen);
    }
    UpstreamProtocol protocol =
        grpc || H2C_APP_PROTOCOL.equals(sp.getAppProtocol())
            ? UpstreamProtocol.H2C
            : UpstreamProtocol.HTTP1;
    UpstreamTls tls = null;
    Set<String> ancestors = new TreeSet<>();
    for (ParentInfo p : info.parents) {
      ancestors.add(p.gateway.gateway.meta().path());
    }
    BackendTlsPolicies.Applied policy = backendTls.forPort(ns, ref.name(), sp, ancestors);
    if (policy != null) {
      String failure = policy.failure();
      if (failure != null) {
        // never plaintext or unverified TLS to a backend whose policy cannot be honoured
        return new BackendRef.Unresolved(UNRESOLVED_STATUS, field + ": " + failure);
      }
      tls = Objects.requireNonNull(policy.tls, "failure() is null exactly when tls is set");
      String clientCertificate = clientCertificate(info);
      if (clientCertificate != null) {
        return new BackendRef.Unresolved(UNRESOLVED_STATUS, field + ": " + clientCertificate);
      }
      tls = tls.withClientCertificate(info.parents.get(0).gateway.backendClientCertificate);
      // gRPC over TLS is h2 (h2c is cleartext)
      protocol = protocol == UpstreamProtocol.H2C ? UpstreamProtocol.H2 : protocol;
    }
    return new BackendRef.ServicePort(
        ref.name(), port, null, protocol, tls, null, ns.equals(routeNs) ? null : ns);
  }

  /**
   * Why the route's TLS backends cannot present the client certificate of its Gateways ({@code
   * spec.tls.backend}): one that does not resolve, or Gateways asking for different ones (the
   * backend connections are shared by them); null when they agree.
   */
  private static @Nullable String clientCertificate(RouteInfo info) {
    GatewayInfo first = info.parents.get(0).gateway;
    for (ParentInfo p : info.parents) {
      GatewayInfo gw = p.gateway;
      if (gw.backendUnresolved != null) {
        return "Gateway "
            + gw.gateway.meta().path()
            + ": its backend client certificate does not resolve ("
            + gw.backendUnresolved.message()
            + ")";
      }
      if (!Objects.equals(gw.backendClientCertificate, first.backendClientCertificate)) {
        return "Gateways "
            + first.gateway.meta().path()
            + " and "
            + gw.gateway.meta().path()
            + " present different client certificates to TLS backends (expected: the same, or"
            + " separate routes)";
      }
    }
    return null;
  }

  private BackendRef unresolved(RouteInfo info, String reason, String message, long gen) {
    if (info.unresolved == null) {
      info.unresolved = GatewayCondition.no(RESOLVED_REFS, reason, message, gen);
    }
    return new BackendRef.Unresolved(UNRESOLVED_STATUS, reason + ": " + message);
  }

  private static final Duration DEFAULT_RESPONSE = Timeouts.DEFAULTS.response();
  private static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  /**
   * {@code timeouts.request} is the whole exchange ({@code 0s}: off); {@code backendRequest} the
   * wait for the backend's answer ({@code 0s}: a day, the model's longest). A request timeout
   * longer than the default wait for the backend lengthens that wait too, so it is never cut first.
   */
  private static Timeouts timeouts(String field, Rule rule) throws Unsupported {
    Timeouts t = Timeouts.DEFAULTS;
    Duration request = t.request();
    Duration response = t.response();
    if (rule.requestTimeout() != null) {
      request = RouteRules.duration(field + ".request", rule.requestTimeout());
      if (request.isZero() || request.compareTo(DEFAULT_RESPONSE) > 0) {
        response = request.isZero() ? MAX_TIMEOUT : request;
      }
    }
    if (rule.backendRequestTimeout() != null) {
      response = RouteRules.duration(field + ".backendRequest", rule.backendRequestTimeout());
      response = response.isZero() ? MAX_TIMEOUT : response;
    }
    if (request.equals(t.request()) && response.equals(t.response())) {
      return t;
    }
    return new Timeouts(t.connect(), response, t.bodyIdle(), request);
  }

  // ---------------------------------------------------------------- ownership

  /**
   * A host on one socket: a Gateway's own ({@link ListenerInfo#socket}) or, null, the node's
   * listeners. The ownership rule weighs the claimants of one socket against each other: a request
   * reaches only the routes of the socket that accepted it.
   */
  private record Scoped(@Nullable ListenerKey socket, String host) {}

  /**
   * The claimants on the node's own listeners, which the Ingresses share: the Ingress translation
   * weighs its Ingresses against them (none when every Gateway has its own address).
   */
  List<HostClaimant> claimants() {
    List<HostClaimant> out = new ArrayList<>();
    scopedClaimants()
        .forEach(
            (scope, claimants) -> {
              if (scope == null) {
                out.addAll(claimants);
              }
            });
    return out;
  }

  /** The claimants of every socket, by socket ({@code null}: the node's own listeners). */
  private Map<@Nullable ListenerKey, List<HostClaimant>> scopedClaimants() {
    Map<@Nullable ListenerKey, List<HostClaimant>> out = new HashMap<>();
    for (RouteInfo r : routes) {
      if (r.unsupported != null) {
        continue;
      }
      for (ParentInfo p : r.parents) {
        for (Attachment a : p.attachments) {
          if (!a.listener.programmed()) {
            continue;
          }
          Set<String> group = listeners.group(a.listener);
          for (String h : a.hosts) {
            out.computeIfAbsent(a.listener.socket(), k -> new ArrayList<>())
                .add(
                    new HostClaimant(
                        h,
                        r.route.meta().created(),
                        r.route.meta().namespace(),
                        r.route.meta().name(),
                        r.what(),
                        group));
          }
        }
      }
    }
    return out;
  }

  /** Who holds a host: an admin claim's tenant, an Ingress's namespace or a route's group. */
  private record Holder(String namespace, @Nullable HostClaimant route, String why) {
    boolean admits(String ns) {
      return route != null ? route.admits(ns) : namespace.equals(ns);
    }
  }

  /** The oldest Ingress a host is served for, as the Ingress translation decided. */
  record ServedIngress(String namespace, String name, @Nullable OffsetDateTime created) {}

  /**
   * For each host the Ingress translation serves (namespace only), its oldest Ingress of that
   * namespace naming the host: what {@link #translate} weighs a route against.
   */
  Map<String, ServedIngress> servedIngresses(Map<String, String> ingressHosts) {
    Map<String, ServedIngress> out = new HashMap<>();
    ingressHosts.forEach(
        (host, ns) -> {
          V1Ingress i = oldestIngress(ns, host);
          if (i != null) {
            out.put(
                host,
                new ServedIngress(
                    ns,
                    Objects.requireNonNullElse(i.getMetadata().getName(), ""),
                    i.getMetadata().getCreationTimestamp()));
          }
        });
    return out;
  }

  /**
   * Who holds each host on each socket: an admin claim everywhere, an Ingress on the node's own
   * listeners (which it shares), else the oldest route claiming it there.
   */
  private Map<Scoped, Holder> holders(Map<String, ServedIngress> ingresses) {
    Map<Scoped, HostClaimant> oldest = new HashMap<>();
    scopedClaimants()
        .forEach(
            (scope, all) -> {
              all.sort(HostClaimant.OLDEST_FIRST);
              for (HostClaimant c : all) {
                oldest.putIfAbsent(new Scoped(scope, c.host()), c);
              }
            });
    Map<Scoped, Holder> out = new HashMap<>();
    for (Map.Entry<Scoped, HostClaimant> e : oldest.entrySet()) {
      String host = e.getKey().host();
      HostClaimant route = e.getValue();
      HostClaim claim = claim(host);
      if (claim != null) {
        out.put(
            e.getKey(),
            new Holder(
                claim.tenant().value(), null, "claimed by tenant \"" + claim.tenant() + "\""));
        continue;
      }
      // Ingresses are served by the node's own listeners: a Gateway's own socket does not meet them
      ServedIngress ingress = e.getKey().socket() == null ? ingresses.get(host) : null;
      if (ingress != null
          && !route.olderThan(ingress.created(), ingress.namespace(), ingress.name())) {
        out.put(
            e.getKey(),
            new Holder(
                ingress.namespace(),
                null,
                "served by Ingress "
                    + ingress.namespace()
                    + "/"
                    + ingress.name()
                    + ", which is older"));
        continue;
      }
      out.put(
          e.getKey(),
          new Holder(
              route.namespace(),
              route,
              "held by "
                  + route.what()
                  + ", which is older, for the namespaces its Gateway listener admits"));
    }
    return out;
  }

  /** As the Ingress translator: an exact claim, else a wildcard claim one label up. */
  private @Nullable HostClaim claim(String host) {
    if (host.isEmpty()) {
      return null;
    }
    HostClaim exact = claims.get(host);
    if (exact != null) {
      return exact;
    }
    int dot = host.indexOf('.');
    return dot > 0 && !host.startsWith("*.") ? claims.get("*" + host.substring(dot)) : null;
  }

  /** The oldest Ingress of {@code ns} naming {@code host} ({@code ""}: a host-less rule). */
  private @Nullable V1Ingress oldestIngress(String ns, String host) {
    V1Ingress best = null;
    for (V1Ingress i : cluster.ingresses()) {
      if (i.getMetadata() == null
          || !ns.equals(i.getMetadata().getNamespace())
          || i.getSpec() == null) {
        continue;
      }
      boolean names = false;
      List<V1IngressRule> rules =
          i.getSpec().getRules() == null ? List.of() : i.getSpec().getRules();
      for (V1IngressRule rule : rules) {
        String h = rule.getHost() == null ? "" : rule.getHost().toLowerCase(java.util.Locale.ROOT);
        names |= h.equals(host);
      }
      names |= host.isEmpty() && i.getSpec().getDefaultBackend() != null;
      if (names && (best == null || OLDER.compare(i, best) < 0)) {
        best = i;
      }
    }
    return best;
  }

  private static final Comparator<V1Ingress> OLDER =
      Comparator.comparing((V1Ingress i) -> i.getMetadata().getCreationTimestamp(), NULLS_LAST)
          .thenComparing(i -> Objects.requireNonNullElse(i.getMetadata().getName(), ""));

  // ---------------------------------------------------------------- output

  GatewayTranslation translate(Map<String, ServedIngress> ingresses) {
    Map<Scoped, Holder> holders = holders(ingresses);
    List<Served> served = new ArrayList<>();
    // TLSRoutes first: a host they pass through is never terminated by another route
    Map<Scoped, RouteInfo> passedThrough = new LinkedHashMap<>();
    for (boolean tls : new boolean[] {true, false}) {
      for (RouteInfo r : routes) {
        Served s =
            r.unsupported != null || r.passthrough() != tls
                ? null
                : served(r, holders, passedThrough);
        if (s != null) {
          served.add(s);
        }
      }
    }
    Map<RouteKey, ObjectRef> origins = new HashMap<>();
    Map<CertificateKey, CertificateSpec> certificates = new TreeMap<>();
    List<RouteSpec> out = new ArrayList<>();
    Map<MatchSpec, Integer> priorities = priorities(served);
    for (Served s : served) {
      for (RouteSpec spec : variants(s, priorities, certificates)) {
        out.add(spec);
        origins.put(spec.key(), s.route.ref());
      }
    }
    out.sort(Comparator.comparing(RouteSpec::key));
    List<ObjectStatus> all = new ArrayList<>(statuses);
    List<ListenerSpec> sockets = new ArrayList<>();
    for (GatewayInfo g : gateways.values()) {
      all.add(listeners.status(g));
      sockets.addAll(listeners.sockets(g, certificates));
    }
    for (ListenerSetInfo ls : listenerSets.values()) {
      all.add(listeners.status(ls));
    }
    sockets.sort(Comparator.comparing(ListenerSpec::key));
    for (RouteInfo r : routes) {
      all.add(routeStatus(r));
    }
    all.addAll(backendTls.statuses());
    all.sort(Comparator.comparing(ObjectStatus::ref));
    return new GatewayTranslation(
        out,
        List.copyOf(certificates.values()),
        all,
        origins,
        GatewayTranslator.hostsOf(out),
        sockets);
  }

  /**
   * What of a route is served, per socket: the hosts of its programmed attachments, less those
   * another group holds or another route passes through (each recorded on its parent); null for
   * none.
   */
  private static @Nullable Served served(
      RouteInfo r, Map<Scoped, Holder> holders, Map<Scoped, RouteInfo> passedThrough) {
    String ns = r.route.meta().namespace();
    Map<@Nullable ListenerKey, Part> parts = new LinkedHashMap<>();
    for (ParentInfo p : r.parents) {
      for (Attachment a : p.attachments) {
        if (!a.listener.programmed()) {
          continue;
        }
        ListenerKey socket = a.listener.socket();
        for (String h : a.hosts) {
          Scoped scoped = new Scoped(socket, h);
          Holder holder = holders.get(scoped);
          String lost =
              holder != null && !holder.admits(ns)
                  ? holder.why()
                  : passedElsewhere(r, a.listener, scoped, passedThrough);
          if (lost != null) {
            p.lost.putIfAbsent(h, lost);
            continue;
          }
          p.served++;
          Part part =
              parts.computeIfAbsent(
                  socket, k -> new Part(new LinkedHashSet<>(), new LinkedHashMap<>()));
          if (a.listener.https()) {
            part.https.putIfAbsent(h, a.listener);
          } else {
            part.http.add(h);
          }
        }
      }
    }
    return parts.isEmpty() ? null : new Served(r, parts);
  }

  /**
   * Why another route passes TLS for {@code host} through instead of {@code r}, or null; a
   * TLSRoute's host is recorded as passed through by it.
   */
  private static @Nullable String passedElsewhere(
      RouteInfo r, ListenerInfo listener, Scoped host, Map<Scoped, RouteInfo> passedThrough) {
    if (r.passthrough()) {
      RouteInfo first = passedThrough.putIfAbsent(host, r);
      // one SNI name, one backend: the oldest route keeps it, as for any conflict
      return first == null || first == r
          ? null
          : "passed through by " + first.what() + ", which is older";
    }
    // the exact host only: the router's SNI lookup takes an exact terminated name before a
    // passthrough wildcard one label above
    RouteInfo through = listener.https() ? passedThrough.get(host) : null;
    return through == null
        ? null
        : "passed through by " + through.what() + " (its TLS reaches that route's backend)";
  }

  /**
   * A route's hosts on one socket.
   *
   * @param http the hosts served over plain HTTP; of a TLSRoute, the hosts it passes through
   * @param https the hosts served over HTTPS, each with the listener whose certificate serves it
   */
  private record Part(Set<String> http, Map<String, @Nullable ListenerInfo> https) {}

  /**
   * @param parts by socket: the Gateway's own ({@link ListenerInfo#socket}), or null for the node's
   *     listeners
   */
  private record Served(RouteInfo route, Map<@Nullable ListenerKey, Part> parts) {}

  /**
   * Gateway API's precedence among matches of one path: a method match first, then more header
   * matches, then more query matches, then the oldest route, then rule and match order. The router
   * orders by path, then priority: so the priority is the first three as a base, plus a rank among
   * the matches that tie on path and base (only they need one, so adding a route renumbers only its
   * ties).
   */
  private static Map<MatchSpec, Integer> priorities(List<Served> served) {
    record Tie(String path, int base) {}
    Map<Tie, List<MatchSpec>> ties = new HashMap<>();
    Map<MatchSpec, Integer> bases = new java.util.IdentityHashMap<>();
    // served is in route order (oldest first), and each route's specs in rule, match order
    for (Served s : served) {
      if (s.route.passthrough()) {
        continue; // matched by SNI name alone: no path to rank on
      }
      for (MatchSpec m : s.route.specs) {
        Match c = m.conditions();
        int base =
            ((c.methods().isEmpty() ? 0 : 1) * 17 + Math.min(c.headers().size(), 16)) * 17
                + Math.min(c.queries().size(), 16);
        bases.put(m, base);
        ties.computeIfAbsent(
                new Tie(c.path().type() + " " + c.path().value(), base), k -> new ArrayList<>())
            .add(m);
      }
    }
    Map<MatchSpec, Integer> out = new java.util.IdentityHashMap<>();
    for (List<MatchSpec> tie : ties.values()) {
      for (int rank = 0; rank < tie.size(); rank++) {
        MatchSpec m = tie.get(rank);
        out.put(
            m,
            Objects.requireNonNull(bases.get(m)) * TIE_SLOTS + Math.max(0, TIE_SLOTS - 1 - rank));
      }
    }
    return out;
  }

  /** Ranks per tie: 578 bases x 1,700 stays within the model's priority limit of 1,000,000. */
  private static final int TIE_SLOTS = 1700;

  /**
   * The route specs of one served route: per match, one spec for its plain-HTTP hosts and the hosts
   * of its first certificate, and one more for each further certificate.
   */
  private List<RouteSpec> variants(
      Served s,
      Map<MatchSpec, Integer> priorities,
      Map<CertificateKey, CertificateSpec> certificates) {
    List<RouteSpec> out = new ArrayList<>();
    s.parts.forEach(
        (socket, part) ->
            out.addAll(
                s.route.passthrough()
                    ? passthroughSpecs(s.route, socket, part)
                    : variants(s.route, socket, part, priorities, certificates)));
    return out;
  }

  /** The route specs of a route on one socket, each naming it (none for the node's own). */
  private List<RouteSpec> variants(
      RouteInfo route,
      @Nullable ListenerKey socket,
      Part s,
      Map<MatchSpec, Integer> priorities,
      Map<CertificateKey, CertificateSpec> certificates) {
    String ns = route.route.meta().namespace();
    // hosts by the certificate name that serves them over HTTPS
    Map<String, List<String>> byCert = new LinkedHashMap<>();
    Map<String, CertificateSpec> specs = new HashMap<>();
    for (Map.Entry<String, @Nullable ListenerInfo> e : s.https.entrySet()) {
      ListenerInfo li = Objects.requireNonNull(e.getValue());
      CertificateSpec cert = Objects.requireNonNull(li.certificate);
      ValidCertificate valid = Objects.requireNonNull(li.valid);
      String host = e.getKey();
      String name = cert.key().name();
      if (!host.isEmpty() && CertificateValidator.coverage(valid, host).isEmpty()) {
        name = DEFAULT_CERTIFICATE; // the node's default certificate answers, as for Ingress
      } else {
        specs.put(name, cert);
      }
      byCert.computeIfAbsent(name, k -> new ArrayList<>()).add(host);
    }
    record Variant(String suffix, List<String> hosts, @Nullable TlsSpec tls) {}
    List<Variant> variants = new ArrayList<>();
    Set<String> httpOnly = new LinkedHashSet<>(s.http);
    byCert.values().forEach(httpOnly::removeAll);
    if (byCert.isEmpty()) {
      variants.add(new Variant("", List.copyOf(httpOnly), null));
    }
    int k = 0;
    for (Map.Entry<String, List<String>> e : byCert.entrySet()) {
      List<String> tlsHosts = e.getValue();
      List<String> hosts = new ArrayList<>(k == 0 ? httpOnly : Set.of());
      hosts.addAll(tlsHosts);
      // a Gateway's HTTPS socket takes TLS only: no plain request to redirect
      boolean plainToo = socket != null || s.http.containsAll(tlsHosts);
      TlsSpec tls =
          new TlsSpec(
              tlsHosts.contains(ListenerHosts.ANY) ? List.of() : tlsHosts,
              e.getKey(),
              plainToo ? HttpsRedirect.OFF : HttpsRedirect.DEFAULT,
              Hsts.OFF);
      variants.add(new Variant(k == 0 ? "" : ".t" + k, hosts, tls));
      CertificateSpec cert = specs.get(e.getKey());
      if (cert != null) {
        // the listener's certificate, under the route's tenant: a route names its own only
        CertificateKey key = CertificateKey.of(ns, cert.key().name());
        certificates.put(
            key, new CertificateSpec(key, cert.certificateChainPem(), cert.privateKey()));
      }
      k++;
    }
    List<RouteSpec> out = new ArrayList<>();
    for (MatchSpec m : route.specs) {
      for (Variant v : variants) {
        List<String> hosts = v.hosts.contains(ListenerHosts.ANY) ? List.of() : v.hosts;
        RouteSpec spec =
            spec(route, m, hosts, v.tls, Objects.requireNonNull(priorities.get(m)))
                .withKey(key(route, m, v.suffix + socketSuffix(socket)));
        if (hosts.stream().anyMatch(h -> h.startsWith("*."))) {
          // a Gateway API wildcard covers any number of labels; set only where there is one, so
          // every other route keeps the payload format older members read
          spec = spec.withWildcardsAnyDepth(true);
        }
        Validated<RouteSpec> valid =
            RouteValidator.validate(socket == null ? spec : spec.withListener(socket));
        if (valid.value() != null) {
          out.add(valid.value());
        }
      }
    }
    return out;
  }

  /** A TLSRoute's one route on a socket: its hosts passed through by SNI name to its backends. */
  private static List<RouteSpec> passthroughSpecs(
      RouteInfo route, @Nullable ListenerKey socket, Part s) {
    List<RouteSpec> out = new ArrayList<>();
    for (MatchSpec m : route.specs) {
      RouteSpec spec =
          spec(route, m, List.copyOf(s.http), TlsSpec.passthrough(List.of()), 0)
              .withKey(key(route, m, socketSuffix(socket)));
      if (s.http.stream().anyMatch(h -> h.startsWith("*."))) {
        spec = spec.withWildcardsAnyDepth(true); // an SNI wildcard of any depth, as for HTTP
      }
      Validated<RouteSpec> valid =
          RouteValidator.validate(socket == null ? spec : spec.withListener(socket));
      if (valid.value() != null) {
        out.add(valid.value());
      }
    }
    return out;
  }

  /**
   * Tells apart the routes of one match on several sockets: {@code _<namespace>_<gateway>_<port>}
   * of the Gateway ({@code _} is in no Kubernetes name), nothing for the node's own listeners.
   */
  private static String socketSuffix(@Nullable ListenerKey socket) {
    return socket == null
        ? ""
        : "_" + socket.name().substring(GatewayListeners.SOCKET_PREFIX.length()).replace('/', '_');
  }

  private static final String DEFAULT_CERTIFICATE = CertificateKey.KUBERNETES_PREFIX + "default";

  private static RouteSpec spec(
      RouteInfo r, MatchSpec m, List<String> hosts, @Nullable TlsSpec tls, int priority) {
    Match c = m.conditions();
    return new RouteSpec(
        key(r, m, ""),
        hosts,
        List.of(c.path()),
        c.methods(),
        c.headers(),
        c.queries(),
        m.backends(),
        m.timeouts(),
        Limits.DEFAULTS,
        priority,
        tls,
        m.policies());
  }

  /** {@code httproute_<name>.r<rule>.m<match>}, hashed when longer than a route name may be. */
  private static RouteKey key(RouteInfo r, MatchSpec m, String suffix) {
    String name =
        r.route.kind().kind().toLowerCase(java.util.Locale.ROOT)
            + "_"
            + r.route.meta().name()
            + ".r"
            + m.rule()
            + ".m"
            + m.match()
            + suffix;
    if (name.length() > MAX_NAME) {
      String hash = sha256(name).substring(0, 16);
      name = name.substring(0, MAX_NAME - hash.length() - 1) + "-" + hash;
    }
    return RouteKey.of(r.route.meta().namespace(), IngressTranslator.SOURCE, name);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private RouteStatus routeStatus(RouteInfo r) {
    long gen = r.route.meta().generation();
    List<RouteParentStatus> parents = new ArrayList<>();
    for (ParentInfo p : r.parents) {
      GatewayCondition accepted;
      if (p.refused != null) {
        accepted = p.refused;
      } else if (r.unsupported != null) {
        accepted =
            GatewayCondition.no(
                ACCEPTED, "UnsupportedValue", r.unsupported + "; the route is not served", gen);
      } else if (!p.lost.isEmpty()) {
        List<String> each = new ArrayList<>();
        p.lost.forEach((h, why) -> each.add("host \"" + (h.isEmpty() ? "*" : h) + "\" is " + why));
        accepted =
            GatewayCondition.no(
                ACCEPTED,
                "HostConflict",
                String.join("; ", each)
                    + (p.served > 0
                        ? "; the route's other hosts are served"
                        : "; the route is not served through this parent"),
                gen);
      } else {
        accepted = GatewayCondition.yes(ACCEPTED, "Accepted", "accepted", gen);
      }
      GatewayCondition resolved =
          r.unresolved != null
              ? r.unresolved
              : GatewayCondition.yes(RESOLVED_REFS, "ResolvedRefs", "references resolved", gen);
      parents.add(new RouteParentStatus(p.ref, List.of(accepted, resolved)));
    }
    return new RouteStatus(r.ref(), parents);
  }
}
