package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.HostClaimant;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Backend;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Gateway;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.GatewayClass;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.GroupKind;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Listener;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Ref;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.ReferenceGrant;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Route;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Rule;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.Address;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ClassStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.GatewayStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ListenerStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ParentRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteGroupKind;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteParentStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteStatus;
import io.gatehouse.k8s.translate.gateway.RouteRules.Match;
import io.gatehouse.k8s.translate.gateway.RouteRules.Unsupported;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Secret;
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
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One Gateway API translation: reads the objects once, decides classes, listeners and route
 * attachments in the constructor (none of that depends on Ingresses), then {@link #translate}
 * applies the host ownership rule and writes routes and statuses.
 */
final class GatewayRun {
  static final String ACCEPTED = "Accepted";
  static final String PROGRAMMED = "Programmed";
  static final String RESOLVED_REFS = "ResolvedRefs";
  static final String CONFLICTED = "Conflicted";
  static final String SUPPORTED_VERSION = "SupportedVersion";

  /** The Gateway API release whose CRDs Gatehouse is built and tested against. */
  static final String API_VERSION = "v1.7.0";

  private static final String TLS_SECRET = "kubernetes.io/tls";
  private static final String H2C_APP_PROTOCOL = "kubernetes.io/h2c";

  /** Route names: the route model's name pattern, at most this long (longer ones are hashed). */
  private static final int MAX_NAME = 253;

  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /** Route kinds a listener of ours may admit. */
  private static final List<GatewayKind> ROUTE_KINDS =
      List.of(GatewayKind.HTTP_ROUTE, GatewayKind.GRPC_ROUTE);

  private final GatewaySettings settings;
  private final Clock clock;
  private final ClusterState cluster;
  private final GatewayState state;
  private final Map<String, HostClaim> claims;

  private final List<ObjectStatus> statuses = new ArrayList<>();
  private final Map<String, GatewayInfo> gateways = new TreeMap<>();
  private final List<ReferenceGrant> grants = new ArrayList<>();
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
    this.clock = clock;
    this.cluster = cluster;
    this.state = state;
    this.claims = claims;
    for (Map<String, Object> o : state.objects(GatewayKind.REFERENCE_GRANT)) {
      grants.add(GatewayObjects.referenceGrant(o));
    }
    Set<String> ours = classes();
    for (Map<String, Object> o : state.objects(GatewayKind.GATEWAY)) {
      Gateway g = GatewayObjects.gateway(o);
      if (ours.contains(g.className())) {
        gateways.put(g.meta().path(), listeners(g));
        knownNamespaces.add(g.meta().namespace());
      }
    }
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

  private Set<String> classes() {
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

  /** A Gateway of ours with what its listeners accept. */
  private static final class GatewayInfo {
    final Gateway gateway;
    final List<ListenerInfo> listeners = new ArrayList<>();

    /** {@code spec.addresses} the nodes do not publish: the Gateway is not accepted. */
    final List<String> unsupportedAddresses = new ArrayList<>();

    GatewayInfo(Gateway gateway) {
      this.gateway = gateway;
    }

    String namespace() {
      return gateway.meta().namespace();
    }
  }

  /** A listener: whether it is accepted and programmed, and what routes it admits. */
  private static final class ListenerInfo {
    final GatewayInfo gateway;
    final Listener listener;
    final @Nullable String hostname;
    final List<RouteGroupKind> kinds = new ArrayList<>();
    @Nullable GatewayCondition notAccepted;

    /** Why a certificate reference does not resolve: the listener cannot serve HTTPS. */
    @Nullable GatewayCondition unresolved;

    /** Kinds of allowedRoutes Gatehouse does not serve: the others still attach. */
    @Nullable GatewayCondition invalidKinds;

    @Nullable GatewayCondition conflicted;

    /** The certificate an HTTPS listener serves, in the Gateway's namespace. */
    @Nullable CertificateSpec certificate;

    @Nullable ValidCertificate valid;
    int attached;

    /** {@link GatewayRun#group}, once computed ({@code groupKnown}); null for every namespace. */
    @Nullable Set<String> group;

    boolean groupKnown;

    ListenerInfo(GatewayInfo gateway, Listener listener, @Nullable String hostname) {
      this.gateway = gateway;
      this.listener = listener;
      this.hostname = hostname;
    }

    boolean accepted() {
      return notAccepted == null;
    }

    /**
     * Accepted, its certificate resolved, without conflict and with a route kind to admit: it
     * serves the routes attached.
     */
    boolean programmed() {
      return notAccepted == null
          && unresolved == null
          && conflicted == null
          && !kinds.isEmpty()
          && gateway.unsupportedAddresses.isEmpty();
    }

    /** The listener's ResolvedRefs condition when False: the certificate first, then kinds. */
    @Nullable GatewayCondition unresolvedRefs() {
      return unresolved != null ? unresolved : invalidKinds;
    }

    boolean https() {
      return listener.protocol().equals("HTTPS");
    }

    String what() {
      return "listener \"" + listener.name() + "\" of Gateway " + gateway.gateway.meta().path();
    }
  }

  private GatewayInfo listeners(Gateway g) {
    GatewayInfo info = new GatewayInfo(g);
    long gen = g.meta().generation();
    for (Map<String, Object> a : g.addresses()) {
      String value = GatewayObjects.str(a.get("value"));
      if (value == null || !settings.addresses().contains(value)) {
        info.unsupportedAddresses.add(String.valueOf(value));
      }
    }
    for (Listener l : g.listeners()) {
      String hostname = null;
      if (l.hostname() != null) {
        Validated<String> h = Hostnames.normalizeConfigured("hostname", l.hostname());
        hostname = h.value() != null ? h.value() : l.hostname().toLowerCase(java.util.Locale.ROOT);
      }
      ListenerInfo li = new ListenerInfo(info, l, hostname);
      info.listeners.add(li);
      switch (l.protocol()) {
        case "HTTP", "HTTPS" -> {
          int port = l.protocol().equals("HTTP") ? settings.httpPort() : settings.httpsPort();
          if (l.port() != port) {
            li.notAccepted =
                GatewayCondition.no(
                    ACCEPTED,
                    "PortUnavailable",
                    "the node listens for "
                        + l.protocol()
                        + " on port "
                        + port
                        + " only (HTTP "
                        + settings.httpPort()
                        + ", HTTPS "
                        + settings.httpsPort()
                        + "); port "
                        + l.port()
                        + " is not served",
                    gen);
          } else if (l.protocol().equals("HTTPS") && !"Terminate".equals(l.tlsMode())) {
            li.notAccepted =
                GatewayCondition.no(
                    ACCEPTED,
                    "UnsupportedProtocol",
                    "tls.mode: \""
                        + l.tlsMode()
                        + "\" (expected: Terminate; Passthrough is served with protocol TLS)",
                    gen);
          }
        }
        default ->
            li.notAccepted =
                GatewayCondition.no(
                    ACCEPTED,
                    "UnsupportedProtocol",
                    "protocol \""
                        + l.protocol()
                        + "\" is not served yet (expected: HTTP or HTTPS; TLS passthrough comes"
                        + " with issue #19)",
                    gen);
      }
      if (l.protocol().equals("HTTP") || l.protocol().equals("HTTPS")) {
        kinds(li, gen);
      }
      if (li.accepted() && li.https()) {
        certificate(li, gen);
      }
    }
    // two accepted listeners on one port with the same hostname cannot both be served
    Map<String, List<ListenerInfo>> byPortHost = new LinkedHashMap<>();
    for (ListenerInfo li : info.listeners) {
      if (li.accepted()) {
        byPortHost
            .computeIfAbsent(
                li.listener.port() + " " + Objects.requireNonNullElse(li.hostname, ""),
                k -> new ArrayList<>())
            .add(li);
      }
    }
    for (List<ListenerInfo> same : byPortHost.values()) {
      if (same.size() > 1) {
        for (ListenerInfo li : same) {
          li.conflicted =
              GatewayCondition.yes(
                  CONFLICTED,
                  "HostnameConflict",
                  same.size()
                      + " listeners on port "
                      + li.listener.port()
                      + " share hostname \""
                      + Objects.requireNonNullElse(li.listener.hostname(), "")
                      + "\"; none of them is served",
                  gen);
        }
      }
    }
    return info;
  }

  private void kinds(ListenerInfo li, long gen) {
    List<GroupKind> asked = li.listener.kinds();
    if (asked == null) {
      for (GatewayKind k : ROUTE_KINDS) {
        li.kinds.add(new RouteGroupKind(GatewayKind.GROUP, k.kind()));
      }
      return;
    }
    List<String> refused = new ArrayList<>();
    for (GroupKind gk : asked) {
      boolean known =
          gk.group().equals(GatewayKind.GROUP)
              && ROUTE_KINDS.stream().anyMatch(k -> k.kind().equals(gk.kind()));
      if (known) {
        RouteGroupKind rgk = new RouteGroupKind(gk.group(), gk.kind());
        if (!li.kinds.contains(rgk)) {
          li.kinds.add(rgk);
        }
      } else {
        refused.add(gk.group() + "/" + gk.kind());
      }
    }
    if (!refused.isEmpty()) {
      li.invalidKinds =
          GatewayCondition.no(
              RESOLVED_REFS,
              "InvalidRouteKinds",
              "allowedRoutes.kinds: "
                  + String.join(", ", refused)
                  + " (expected: gateway.networking.k8s.io/HTTPRoute or GRPCRoute)",
              gen);
    }
  }

  private void certificate(ListenerInfo li, long gen) {
    String gwNs = li.gateway.namespace();
    List<Ref> refs = li.listener.certificateRefs();
    if (refs.isEmpty()) {
      li.unresolved =
          GatewayCondition.no(
              RESOLVED_REFS,
              "InvalidCertificateRef",
              "tls.certificateRefs: none (expected: a kubernetes.io/tls Secret)",
              gen);
      return;
    }
    for (int i = 0; i < refs.size(); i++) {
      Ref ref = refs.get(i);
      String field = "tls.certificateRefs[" + i + "]";
      String ns = ref.namespace() == null ? gwNs : ref.namespace();
      if (!ref.group().equals(GatewayObjects.CORE) || !ref.kind().equals("Secret")) {
        li.unresolved =
            GatewayCondition.no(
                RESOLVED_REFS,
                "InvalidCertificateRef",
                field + ": " + ref.group() + "/" + ref.kind() + " (expected: a core Secret)",
                gen);
        return;
      }
      if (!ns.equals(gwNs)
          && !granted(
              GatewayKind.GATEWAY.kind(), gwNs, GatewayObjects.CORE, "Secret", ns, ref.name())) {
        li.unresolved =
            GatewayCondition.no(
                RESOLVED_REFS,
                "RefNotPermitted",
                field
                    + ": Secret "
                    + ns
                    + "/"
                    + ref.name()
                    + " is in another namespace and no ReferenceGrant there allows Gateways of "
                    + gwNs
                    + " to use it",
                gen);
        return;
      }
      String why = null;
      Optional<V1Secret> secret = cluster.secret(ns, ref.name());
      CertificateSpec spec = null;
      ValidCertificate valid = null;
      if (secret.isEmpty()) {
        why = "not found";
      } else {
        Map<String, byte[]> data =
            secret.get().getData() == null ? Map.of() : secret.get().getData();
        if (!TLS_SECRET.equals(secret.get().getType())
            || data.get("tls.crt") == null
            || data.get("tls.key") == null) {
          why =
              "type \""
                  + secret.get().getType()
                  + "\" (expected: kubernetes.io/tls with tls.crt and tls.key)";
        } else {
          spec =
              new CertificateSpec(
                  CertificateKey.of(
                      ns, CertificateKey.KUBERNETES_PREFIX + "gateway." + ns + "." + ref.name()),
                  new String(data.get("tls.crt"), StandardCharsets.US_ASCII),
                  new PrivateKeyPem(new String(data.get("tls.key"), StandardCharsets.US_ASCII)));
          Validated<ValidCertificate> v = CertificateValidator.validate(spec, clock);
          valid = v.value();
          if (valid == null) {
            why = messages(v.violations());
          }
        }
      }
      if (why != null) {
        li.unresolved =
            GatewayCondition.no(
                RESOLVED_REFS,
                "InvalidCertificateRef",
                field + ": Secret " + ns + "/" + ref.name() + ": " + why,
                gen);
        return;
      }
      if (li.certificate == null) {
        li.certificate = spec;
        li.valid = valid;
      }
    }
  }

  /**
   * Whether a ReferenceGrant in {@code toNamespace} lets objects of {@code fromKind} in {@code
   * fromNamespace} refer to {@code toGroup/toKind} {@code toName}.
   */
  private boolean granted(
      String fromKind,
      String fromNamespace,
      String toGroup,
      String toKind,
      String toNamespace,
      String toName) {
    for (ReferenceGrant g : grants) {
      if (!g.meta().namespace().equals(toNamespace)) {
        continue;
      }
      boolean from =
          g.from().stream()
              .anyMatch(
                  f ->
                      f.group().equals(GatewayKind.GROUP)
                          && f.kind().equals(fromKind)
                          && f.namespace().equals(fromNamespace));
      boolean to =
          g.to().stream()
              .anyMatch(
                  t ->
                      t.group().equals(toGroup)
                          && t.kind().equals(toKind)
                          && (t.name() == null || t.name().equals(toName)));
      if (from && to) {
        return true;
      }
    }
    return false;
  }

  /** Whether the listener's {@code allowedRoutes.namespaces} admits {@code ns}. */
  private boolean admits(ListenerInfo li, String ns) {
    return switch (li.listener.from()) {
      case "All" -> true;
      case "Same" -> ns.equals(li.gateway.namespace());
      case "Selector" -> {
        GatewayObjects.Selector s = li.listener.selector();
        Optional<V1Namespace> n = state.namespace(ns);
        Map<String, String> labels = new HashMap<>();
        if (n.isPresent() && n.get().getMetadata() != null) {
          Map<String, String> l = n.get().getMetadata().getLabels();
          labels.putAll(l == null ? Map.of() : l);
        }
        // the API server sets it on every namespace; a cache or fixture may not show it yet
        labels.put("kubernetes.io/metadata.name", ns);
        // a namespace not seen yet is not admitted: fail closed until the informer has it
        yield s != null && n.isPresent() && s.matches(labels);
      }
      default -> false;
    };
  }

  /** The namespaces the listener admits, of those that can claim a host; null for all. */
  private @Nullable Set<String> group(ListenerInfo li) {
    if (!li.groupKnown) {
      li.group = computeGroup(li);
      li.groupKnown = true;
    }
    return li.group;
  }

  private @Nullable Set<String> computeGroup(ListenerInfo li) {
    if (li.listener.from().equals("All")) {
      return null;
    }
    Set<String> out = new TreeSet<>();
    for (String ns : knownNamespaces) {
      if (admits(li, ns)) {
        out.add(ns);
      }
    }
    return out;
  }

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

    ObjectRef ref() {
      return new ObjectRef(route.kind(), route.meta().namespace(), route.meta().name());
    }
  }

  /** One parentRef naming a Gateway of ours: the listeners it attached to, or why none. */
  private static final class ParentInfo {
    final ParentRef ref;
    final List<Attachment> attachments = new ArrayList<>();
    @Nullable GatewayCondition refused;

    /** Hosts another group holds: host to the holder's description. */
    final Map<String, String> lost = new LinkedHashMap<>();

    /** How many (listener, host) pairs of this parent are served. */
    int served;

    ParentInfo(ParentRef ref) {
      this.ref = ref;
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
    List<String> hostnames = new ArrayList<>();
    for (String h : r.hostnames()) {
      Validated<String> v = Hostnames.normalizeConfigured("hostnames", h);
      hostnames.add(v.value() != null ? v.value() : h.toLowerCase(java.util.Locale.ROOT));
    }
    for (ParentRef p : r.parentRefs()) {
      String group = p.group() == null ? GatewayKind.GROUP : p.group();
      String kind = p.kind() == null ? GatewayKind.GATEWAY.kind() : p.kind();
      if (!group.equals(GatewayKind.GROUP) || !kind.equals(GatewayKind.GATEWAY.kind())) {
        continue; // ListenerSet and other parents: not served in phase 1
      }
      GatewayInfo gw = gateways.get((p.namespace() == null ? ns : p.namespace()) + "/" + p.name());
      if (gw == null) {
        continue; // not a Gateway of ours: another controller's, or none
      }
      ParentInfo parent = new ParentInfo(p);
      info.parents.add(parent);
      List<ListenerInfo> named = new ArrayList<>();
      for (ListenerInfo li : gw.listeners) {
        if ((p.sectionName() == null || p.sectionName().equals(li.listener.name()))
            && (p.port() == null || p.port() == li.listener.port())) {
          named.add(li);
        }
      }
      if (named.isEmpty()) {
        parent.refused =
            GatewayCondition.no(
                ACCEPTED,
                "NoMatchingParent",
                "Gateway "
                    + gw.gateway.meta().path()
                    + " has no listener"
                    + (p.sectionName() == null ? "" : " named \"" + p.sectionName() + "\"")
                    + (p.port() == null ? "" : " on port " + p.port()),
                gen);
        continue;
      }
      RouteGroupKind rk = new RouteGroupKind(GatewayKind.GROUP, r.kind().kind());
      List<ListenerInfo> allowed = new ArrayList<>();
      for (ListenerInfo li : named) {
        if (li.accepted() && li.kinds.contains(rk) && admits(li, ns)) {
          allowed.add(li);
        }
      }
      if (allowed.isEmpty()) {
        parent.refused =
            GatewayCondition.no(
                ACCEPTED,
                "NotAllowedByListeners",
                "no accepted listener of Gateway "
                    + gw.gateway.meta().path()
                    + (p.sectionName() == null ? "" : " named \"" + p.sectionName() + "\"")
                    + " admits "
                    + r.kind().kind()
                    + " from namespace "
                    + ns
                    + " (allowedRoutes)",
                gen);
        continue;
      }
      for (ListenerInfo li : allowed) {
        li.attached++;
        List<String> hosts = ListenerHosts.intersect(li.hostname, hostnames);
        if (!hosts.isEmpty()) {
          parent.attachments.add(new Attachment(li, hosts));
        }
      }
      if (parent.attachments.isEmpty()) {
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

  /** The route's matches as specs, its backends resolved, or why it cannot be served. */
  private void build(RouteInfo info) {
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
          if (!b.filters().isEmpty()) {
            throw new Unsupported(
                bf + ".filters: filters on a backendRef are not served (put them on the rule)");
          }
          BackendRef target = backend(info, bf, b.ref(), b.port(), grpc, gen);
          backends.add(new RouteBackend(target, b.weight()));
        }
        if (backends.isEmpty()) {
          // no backend: every request of the rule gets an error answer, as the spec asks
          backends.add(RouteBackend.of(NO_BACKEND));
        }
        List<PolicySpec> policies =
            RouteRules.filters(
                rf + ".filters",
                rule.filters(),
                (field, ref) -> ref.isEmpty() ? null : mirrorTarget(info, field, ref, grpc, gen));
        Timeouts timeouts = timeouts(rf + ".timeouts", rule);
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

  /** A static backend without endpoints: what a rule's unresolved backend gets (no traffic). */
  private static final BackendSpec NO_BACKEND = new BackendSpec(UpstreamProtocol.HTTP1, List.of());

  private @Nullable BackendRef mirrorTarget(
      RouteInfo info, String field, Map<String, Object> raw, boolean grpc, long gen) {
    Ref ref = GatewayObjects.ref(raw, GatewayObjects.CORE, "Service");
    Integer port = raw.get("port") instanceof Number n ? n.intValue() : null;
    BackendRef target = backend(info, field, ref, port, grpc, gen);
    return target == NO_BACKEND ? null : target;
  }

  /**
   * A Service port the route may use, or {@link #NO_BACKEND} with the route's ResolvedRefs
   * condition set to why not (the first reason met).
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
      if (!granted(
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
      // the route model refers to Services of the route's own namespace only (phase 2)
      return unresolved(
          info,
          "UnsupportedValue",
          field
              + ": Service "
              + what
              + " is permitted by a ReferenceGrant, but Gatehouse does not serve a Service of"
              + " another namespace yet; its share of requests gets no backend",
          gen);
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
    return new BackendRef.ServicePort(ref.name(), port, null, protocol, null);
  }

  private BackendRef unresolved(RouteInfo info, String reason, String message, long gen) {
    if (info.unresolved == null) {
      info.unresolved = GatewayCondition.no(RESOLVED_REFS, reason, message, gen);
    }
    return NO_BACKEND;
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

  List<HostClaimant> claimants() {
    List<HostClaimant> out = new ArrayList<>();
    for (RouteInfo r : routes) {
      if (r.unsupported != null) {
        continue;
      }
      for (ParentInfo p : r.parents) {
        for (Attachment a : p.attachments) {
          if (!a.listener.programmed()) {
            continue;
          }
          Set<String> group = group(a.listener);
          for (String h : a.hosts) {
            out.add(
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

  private Map<String, Holder> holders(Map<String, ServedIngress> ingresses) {
    Map<String, HostClaimant> oldest = new HashMap<>();
    List<HostClaimant> all = claimants();
    all.sort(HostClaimant.OLDEST_FIRST);
    for (HostClaimant c : all) {
      oldest.putIfAbsent(c.host(), c);
    }
    Map<String, Holder> out = new HashMap<>();
    for (Map.Entry<String, HostClaimant> e : oldest.entrySet()) {
      String host = e.getKey();
      HostClaimant route = e.getValue();
      HostClaim claim = claim(host);
      if (claim != null) {
        out.put(
            host,
            new Holder(
                claim.tenant().value(), null, "claimed by tenant \"" + claim.tenant() + "\""));
        continue;
      }
      ServedIngress ingress = ingresses.get(host);
      if (ingress != null
          && !route.olderThan(ingress.created(), ingress.namespace(), ingress.name())) {
        out.put(
            host,
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
          host,
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
    Map<String, Holder> holders = holders(ingresses);
    List<Served> served = new ArrayList<>();
    for (RouteInfo r : routes) {
      if (r.unsupported != null) {
        continue;
      }
      String ns = r.route.meta().namespace();
      // host to the certificate of the HTTPS listener serving it (null: plain HTTP)
      Map<String, @Nullable ListenerInfo> https = new LinkedHashMap<>();
      Set<String> http = new LinkedHashSet<>();
      for (ParentInfo p : r.parents) {
        for (Attachment a : p.attachments) {
          if (!a.listener.programmed()) {
            continue;
          }
          for (String h : a.hosts) {
            Holder holder = holders.get(h);
            if (holder != null && !holder.admits(ns)) {
              p.lost.putIfAbsent(h, holder.why());
              continue;
            }
            p.served++;
            if (a.listener.https()) {
              https.putIfAbsent(h, a.listener);
            } else {
              http.add(h);
            }
          }
        }
      }
      if (!http.isEmpty() || !https.isEmpty()) {
        served.add(new Served(r, http, https));
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
    for (GatewayInfo g : gateways.values()) {
      all.add(gatewayStatus(g));
    }
    for (RouteInfo r : routes) {
      all.add(routeStatus(r));
    }
    all.sort(Comparator.comparing(ObjectStatus::ref));
    return new GatewayTranslation(
        out, List.copyOf(certificates.values()), all, origins, GatewayTranslator.hostsOf(out));
  }

  private record Served(
      RouteInfo route, Set<String> http, Map<String, @Nullable ListenerInfo> https) {}

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
    String ns = s.route.route.meta().namespace();
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
      boolean plainToo = s.http.containsAll(tlsHosts);
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
    for (MatchSpec m : s.route.specs) {
      for (Variant v : variants) {
        List<String> hosts = v.hosts.contains(ListenerHosts.ANY) ? List.of() : v.hosts;
        Validated<RouteSpec> valid =
            RouteValidator.validate(
                spec(s.route, m, hosts, v.tls, Objects.requireNonNull(priorities.get(m)))
                    .withKey(key(s.route, m, v.suffix)));
        if (valid.value() != null) {
          out.add(valid.value());
        }
      }
    }
    return out;
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

  private GatewayStatus gatewayStatus(GatewayInfo g) {
    long gen = g.gateway.meta().generation();
    List<Address> addresses = new ArrayList<>();
    for (String a : settings.addresses()) {
      addresses.add(new Address(isIp(a) ? "IPAddress" : "Hostname", a));
    }
    List<String> unsupported = g.unsupportedAddresses;
    long accepted = g.listeners.stream().filter(ListenerInfo::accepted).count();
    long programmed = g.listeners.stream().filter(ListenerInfo::programmed).count();
    List<GatewayCondition> conditions = new ArrayList<>();
    GatewayCondition acceptedCondition;
    if (!unsupported.isEmpty()) {
      acceptedCondition =
          GatewayCondition.no(
              ACCEPTED,
              "UnsupportedAddress",
              "spec.addresses: "
                  + unsupported
                  + " (expected: addresses the nodes publish, "
                  + settings.addresses()
                  + "; each Gateway its own address comes in phase 2)",
              gen);
    } else if (accepted == 0 && !g.listeners.isEmpty()) {
      acceptedCondition =
          GatewayCondition.no(ACCEPTED, "ListenersNotValid", "no listener is accepted", gen);
    } else if (accepted < g.listeners.size()) {
      acceptedCondition =
          GatewayCondition.yes(
              ACCEPTED,
              "ListenersNotValid",
              (g.listeners.size() - accepted) + " listener(s) not accepted; see status.listeners",
              gen);
    } else {
      acceptedCondition = GatewayCondition.yes(ACCEPTED, "Accepted", "accepted", gen);
    }
    conditions.add(acceptedCondition);
    if (addresses.isEmpty()) {
      conditions.add(
          GatewayCondition.no(
              PROGRAMMED,
              "AddressNotAssigned",
              "the nodes publish no address (set the node's published addresses)",
              gen));
    } else if (!acceptedCondition.status().equals("True") || programmed == 0) {
      conditions.add(GatewayCondition.no(PROGRAMMED, "Invalid", "no listener is programmed", gen));
    } else {
      conditions.add(GatewayCondition.yes(PROGRAMMED, "Programmed", "served by every node", gen));
    }
    List<ListenerStatus> listeners = new ArrayList<>();
    for (ListenerInfo li : g.listeners) {
      List<GatewayCondition> lc = new ArrayList<>();
      lc.add(
          li.notAccepted != null
              ? li.notAccepted
              : GatewayCondition.yes(ACCEPTED, "Accepted", "accepted", gen));
      lc.add(
          li.programmed()
              ? GatewayCondition.yes(PROGRAMMED, "Programmed", "served by every node", gen)
              : GatewayCondition.no(
                  PROGRAMMED, "Invalid", "not served; see the other conditions", gen));
      lc.add(
          li.unresolvedRefs() != null
              ? li.unresolvedRefs()
              : GatewayCondition.yes(RESOLVED_REFS, "ResolvedRefs", "references resolved", gen));
      lc.add(
          li.conflicted != null
              ? li.conflicted
              : GatewayCondition.no(CONFLICTED, "NoConflicts", "no conflict", gen));
      listeners.add(
          new ListenerStatus(li.listener.name(), li.kinds, li.accepted() ? li.attached : 0, lc));
    }
    return new GatewayStatus(
        new ObjectRef(GatewayKind.GATEWAY, g.namespace(), g.gateway.meta().name()),
        addresses,
        conditions,
        listeners);
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

  /** An IPv4 dotted quad or an IPv6 literal (anything with ':'; never a DNS lookup). */
  static boolean isIp(String a) {
    if (a.indexOf(':') >= 0) {
      return IPV6.matcher(a).matches();
    }
    String[] parts = a.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static String messages(List<Violation> violations) {
    List<String> out = new ArrayList<>();
    for (Violation v : violations) {
      out.add(v.message());
    }
    return String.join("; ", out);
  }
}
