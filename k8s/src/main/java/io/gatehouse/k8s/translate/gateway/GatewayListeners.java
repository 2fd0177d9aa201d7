package io.gatehouse.k8s.translate.gateway;

import static io.gatehouse.k8s.translate.gateway.GatewayCondition.ACCEPTED;
import static io.gatehouse.k8s.translate.gateway.GatewayCondition.CONFLICTED;
import static io.gatehouse.k8s.translate.gateway.GatewayCondition.PROGRAMMED;
import static io.gatehouse.k8s.translate.gateway.GatewayCondition.RESOLVED_REFS;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.gateway.GatewayAddresses.Assignment;
import io.gatehouse.k8s.translate.gateway.GatewayAddresses.Outcome;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Gateway;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.GatewayListenerSet;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.GroupKind;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Listener;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Ref;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Validation;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.Address;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.GatewayStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ListenerStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteGroupKind;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.FrontendValidation;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.ValidKeyCert;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * The Gateways of our classes and their listeners: which are accepted and programmed (without a
 * pool on the node's shared HTTP and HTTPS listeners, TLS passthrough sharing the HTTPS one; with
 * one, on the Gateway's own address, a socket per port), the certificate each HTTPS listener
 * serves, which namespaces and route kinds each admits, and the Gateway's status. Routes attach
 * through {@link GatewayRun}.
 */
final class GatewayListeners {
  private static final String TLS_SECRET = "kubernetes.io/tls";

  /** The key of a CA ConfigMap that holds the bundle (the Gateway API's core support). */
  private static final String CA_KEY = "ca.crt";

  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /** Route kinds a listener of ours may admit. */
  static final List<GatewayKind> ROUTE_KINDS =
      List.of(GatewayKind.HTTP_ROUTE, GatewayKind.GRPC_ROUTE, GatewayKind.TLS_ROUTE);

  /** What an HTTP or HTTPS listener admits. */
  private static final List<GatewayKind> HTTP_KINDS =
      List.of(GatewayKind.HTTP_ROUTE, GatewayKind.GRPC_ROUTE);

  /** What a TLS (passthrough) listener admits: the spec's only route kind for protocol TLS. */
  private static final List<GatewayKind> TLS_KINDS = List.of(GatewayKind.TLS_ROUTE);

  private static final String TLS = "TLS";

  /** A Gateway socket's key name: {@code gateway/<namespace>/<name>/<port>}. */
  static final String SOCKET_PREFIX = "gateway/";

  private static final String PASSTHROUGH = "Passthrough";

  /** The Gateway's condition while a port serves clients without a valid certificate. */
  static final String INSECURE_FRONTEND_VALIDATION = "InsecureFrontendValidationMode";

  private final GatewaySettings settings;
  private final Clock clock;
  private final ClusterState cluster;
  private final GatewayState state;
  private final ReferenceGrants grants;

  /**
   * Namespaces a {@code Selector} group is evaluated over: every one that can claim a host. The
   * caller fills it while reading routes, before the first {@link #group} call.
   */
  private final Set<String> knownNamespaces;

  GatewayListeners(
      GatewaySettings settings,
      Clock clock,
      ClusterState cluster,
      GatewayState state,
      ReferenceGrants grants,
      Set<String> knownNamespaces) {
    this.settings = settings;
    this.clock = clock;
    this.cluster = cluster;
    this.state = state;
    this.grants = grants;
    this.knownNamespaces = knownNamespaces;
  }

  /** A Gateway of ours with what its listeners accept. */
  static final class GatewayInfo {
    final Gateway gateway;

    /**
     * Its own listeners, then those of its attached ListenerSets in precedence order: one merged
     * list, as the sockets, conflicts and listener isolation see them.
     */
    final List<ListenerInfo> listeners = new ArrayList<>();

    /** The ListenerSets naming it as parent, in precedence order, attached or not. */
    final List<ListenerSetInfo> sets = new ArrayList<>();

    /** {@code spec.addresses} the nodes do not publish: the Gateway is not accepted. */
    final List<String> unsupportedAddresses = new ArrayList<>();

    /** Its address from the pool, or why it has none; null without a pool. */
    final @Nullable Assignment assignment;

    /** What it presents to TLS backends ({@code spec.tls.backend}); null: none, or unresolved. */
    @Nullable KeyCertPem backendClientCertificate;

    /** Why {@code spec.tls.backend.clientCertificateRef} does not resolve; null when it does. */
    @Nullable GatewayCondition backendUnresolved;

    GatewayInfo(Gateway gateway, @Nullable Assignment assignment) {
      this.gateway = gateway;
      this.assignment = assignment;
    }

    String namespace() {
      return gateway.meta().namespace();
    }

    /** Its own listeners ({@code spec.listeners}), without those of ListenerSets. */
    List<ListenerInfo> own() {
      return listeners.stream().filter(li -> li.set == null).toList();
    }

    /** Its own address from the pool; null without a pool, or when it has none. */
    @Nullable String address() {
      return assignment == null ? null : assignment.address();
    }

    /** Whether its listeners can be served: its addresses are supported, and it has one. */
    boolean addressed() {
      return unsupportedAddresses.isEmpty()
          && (assignment == null || assignment.outcome() == Outcome.ASSIGNED);
    }

    /**
     * The key of its socket on {@code port}, which the routes attached there name; null without a
     * pool (the node's own listeners) or an address.
     */
    @Nullable ListenerKey socket(int port) {
      return address() == null
          ? null
          : ListenerKey.of(
              namespace(),
              IngressTranslator.SOURCE,
              SOCKET_PREFIX + namespace() + "/" + gateway.meta().name() + "/" + port);
    }
  }

  /**
   * A ListenerSet naming a Gateway of ours: whether the Gateway's {@code allowedListeners} admits
   * it, and its listeners (part of the Gateway's when admitted).
   */
  static final class ListenerSetInfo {
    final GatewayListenerSet set;
    final GatewayInfo gateway;
    final List<ListenerInfo> listeners = new ArrayList<>();

    /**
     * Why the Gateway does not take its listeners ({@code Accepted=False NotAllowed} or {@code
     * ParentNotAccepted}); null when attached.
     */
    @Nullable GatewayCondition notAllowed;

    ListenerSetInfo(GatewayListenerSet set, GatewayInfo gateway) {
      this.set = set;
      this.gateway = gateway;
    }

    /** Attached, with a listener that can serve: it counts in the Gateway's status. */
    boolean accepted() {
      return notAllowed == null && listeners.stream().anyMatch(ListenerInfo::valid);
    }

    ObjectRef ref() {
      return new ObjectRef(GatewayKind.LISTENER_SET, set.meta().namespace(), set.meta().name());
    }

    String what() {
      return "ListenerSet " + set.meta().path();
    }
  }

  /** A listener: whether it is accepted and programmed, and what routes it admits. */
  static final class ListenerInfo {
    final GatewayInfo gateway;

    /** The ListenerSet it comes from; null for one of the Gateway's own. */
    final @Nullable ListenerSetInfo set;

    final Listener listener;
    final @Nullable String hostname;
    final List<RouteGroupKind> kinds = new ArrayList<>();
    @Nullable GatewayCondition notAccepted;

    /** Why a certificate reference does not resolve: the listener cannot serve HTTPS. */
    @Nullable GatewayCondition unresolved;

    /** Kinds of allowedRoutes Gatehouse does not serve: the others still attach. */
    @Nullable GatewayCondition invalidKinds;

    @Nullable GatewayCondition conflicted;

    /** The client certificates an HTTPS listener's handshakes check; null for none. */
    @Nullable FrontendValidation clientValidation;

    /** The certificate an HTTPS listener serves, in the Gateway's namespace. */
    @Nullable CertificateSpec certificate;

    @Nullable ValidCertificate valid;
    int attached;

    /** {@link GatewayRun#group}, once computed ({@code groupKnown}); null for every namespace. */
    @Nullable Set<String> group;

    boolean groupKnown;

    ListenerInfo(
        GatewayInfo gateway,
        @Nullable ListenerSetInfo set,
        Listener listener,
        @Nullable String hostname) {
      this.gateway = gateway;
      this.set = set;
      this.listener = listener;
      this.hostname = hostname;
    }

    boolean accepted() {
      return notAccepted == null;
    }

    /** Accepted, resolved, without conflict, with a route kind: served once the Gateway is. */
    boolean valid() {
      return notAccepted == null && unresolved == null && conflicted == null && !kinds.isEmpty();
    }

    /** The namespace of the object that defines it: {@code Same} in allowedRoutes means this. */
    String namespace() {
      return set == null ? gateway.namespace() : set.set.meta().namespace();
    }

    long generation() {
      return set == null ? gateway.gateway.meta().generation() : set.set.meta().generation();
    }

    /**
     * Accepted, its certificate resolved, without conflict and with a route kind to admit: it
     * serves the routes attached.
     */
    boolean programmed() {
      return valid() && gateway.addressed();
    }

    /** The key of the Gateway socket this listener is served on; null for the node's own. */
    @Nullable ListenerKey socket() {
      return gateway.socket(listener.port());
    }

    /** The listener's ResolvedRefs condition when False: the certificate first, then kinds. */
    @Nullable GatewayCondition unresolvedRefs() {
      return unresolved != null ? unresolved : invalidKinds;
    }

    boolean https() {
      return listener.protocol().equals("HTTPS");
    }

    /** Protocol TLS: an accepted one passes TLS through by SNI name (mode Passthrough). */
    boolean passthrough() {
      return listener.protocol().equals(TLS);
    }

    String what() {
      return "listener \""
          + listener.name()
          + "\" of "
          + (set == null ? "Gateway " + gateway.gateway.meta().path() : set.what());
    }
  }

  /**
   * @param assignment its address from the pool, or why it has none; null without a pool
   */
  GatewayInfo listeners(Gateway g, @Nullable Assignment assignment) {
    GatewayInfo info = new GatewayInfo(g, assignment);
    long gen = g.meta().generation();
    if (g.backendClientCertificate() != null) {
      backendClientCertificate(info, g.backendClientCertificate(), gen);
    }
    for (Map<String, Object> a :
        assignment == null ? g.addresses() : List.<Map<String, Object>>of()) {
      String value = GatewayObjects.str(a.get("value"));
      if (value == null || !settings.addresses().contains(value)) {
        info.unsupportedAddresses.add(String.valueOf(value));
      }
    }
    for (Listener l : g.listeners()) {
      ListenerInfo li = new ListenerInfo(info, null, l, hostname(l));
      info.listeners.add(li);
      evaluate(li, gen);
    }
    conflicts(info.listeners, gen);
    return info;
  }

  private static @Nullable String hostname(Listener l) {
    if (l.hostname() == null) {
      return null;
    }
    Validated<String> h = Hostnames.normalizeGatewayHostname("hostname", l.hostname());
    return h.value() != null ? h.value() : l.hostname().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the listener's protocol, mode and port are served; its kinds and certificate. */
  private void evaluate(ListenerInfo li, long gen) {
    Listener l = li.listener;
    switch (l.protocol()) {
      case "HTTP", "HTTPS", TLS -> {
        // TLS passthrough is read in front of the HTTPS listener's TLS handler: same port
        int port = l.protocol().equals("HTTP") ? settings.httpPort() : settings.httpsPort();
        // a mode never served is the reason on any port (the suite puts them on 8443)
        if (l.protocol().equals("HTTPS") && !"Terminate".equals(l.tlsMode())) {
          li.notAccepted =
              GatewayCondition.no(
                  ACCEPTED,
                  "UnsupportedProtocol",
                  "tls.mode: \""
                      + l.tlsMode()
                      + "\" (expected: Terminate; Passthrough is served with protocol TLS)",
                  gen);
        } else if (l.protocol().equals(TLS) && !PASSTHROUGH.equals(l.tlsMode())) {
          // the protocol is served, this value of one of its fields is not
          li.notAccepted =
              GatewayCondition.no(
                  ACCEPTED,
                  "UnsupportedValue",
                  "tls.mode: \""
                      + l.tlsMode()
                      + "\" on protocol TLS (expected: Passthrough; TLS terminated into a TCP"
                      + " stream to the backend is not served)",
                  gen);
        } else if (settings.pooled() && !settings.ports().contains(l.port())) {
          li.notAccepted =
              GatewayCondition.no(
                  ACCEPTED,
                  "PortUnavailable",
                  "port "
                      + l.port()
                      + " is not one the node allows Gateway listeners on "
                      + settings.ports()
                      + " (kubernetes.gatewayPorts)",
                  gen);
        } else if (!settings.pooled() && l.port() != port) {
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
                      + ", HTTPS and TLS "
                      + settings.httpsPort()
                      + "); port "
                      + l.port()
                      + " is not served",
                  gen);
        }
        if (!l.protocol().equals(TLS)) {
          kinds(li, HTTP_KINDS, gen);
        } else if (PASSTHROUGH.equals(l.tlsMode())) {
          kinds(li, TLS_KINDS, gen);
        } // else none: the suite's TLSRouteListenerTerminateNotSupported wants no supportedKinds
      }
      default ->
          li.notAccepted =
              GatewayCondition.no(
                  ACCEPTED,
                  "UnsupportedProtocol",
                  "protocol \""
                      + l.protocol()
                      + "\" is not served (expected: HTTP, HTTPS, or TLS with tls.mode"
                      + " Passthrough)",
                  gen);
    }
    if (li.accepted() && li.https()) {
      certificate(li, gen);
      // the Gateway's per-port setting: a socket checks every handshake, whose listener it is
      Validation v = li.gateway.gateway.frontend().forPort(l.port());
      if (v != null) {
        clientValidation(li, v, gen);
      }
    }
  }

  /** Conflicts among {@code on}, listeners of one object: none of a conflicting group is served. */
  private void conflicts(List<ListenerInfo> on, long gen) {
    if (settings.pooled()) {
      protocolConflicts(on, gen);
    }
    // two accepted listeners on one port with the same hostname cannot both be served
    Map<String, List<ListenerInfo>> byPortHost = new LinkedHashMap<>();
    for (ListenerInfo li : on) {
      if (li.accepted()) {
        byPortHost
            .computeIfAbsent(
                li.listener.port() + " " + Objects.requireNonNullElse(li.hostname, ""),
                k -> new ArrayList<>())
            .add(li);
      }
    }
    for (List<ListenerInfo> same : byPortHost.values()) {
      if (same.size() < 2 || same.stream().anyMatch(li -> li.conflicted != null)) {
        continue;
      }
      boolean protocols = same.stream().map(li -> li.listener.protocol()).distinct().count() > 1;
      for (ListenerInfo li : same) {
        String host = Objects.requireNonNullElse(li.listener.hostname(), "");
        if (protocols) {
          // HTTPS and TLS with one hostname: an SNI name cannot choose between terminating and
          // passing through, so neither is accepted (the conformance suite's ProtocolConflict)
          li.conflicted =
              GatewayCondition.yes(
                  CONFLICTED,
                  "ProtocolConflict",
                  same.size()
                      + " listeners on port "
                      + li.listener.port()
                      + " share hostname \""
                      + host
                      + "\" with different protocols; none of them is served",
                  gen);
          li.notAccepted =
              GatewayCondition.no(
                  ACCEPTED,
                  "Invalid",
                  "conflicts with another listener on port "
                      + li.listener.port()
                      + " and hostname \""
                      + host
                      + "\" of another protocol",
                  gen);
        } else {
          li.conflicted =
              GatewayCondition.yes(
                  CONFLICTED,
                  "HostnameConflict",
                  same.size()
                      + " listeners on port "
                      + li.listener.port()
                      + " share hostname \""
                      + host
                      + "\"; none of them is served",
                  gen);
        }
      }
    }
  }

  /**
   * The ListenerSets naming {@code info} as parent (GEP-1713), in the spec's precedence: oldest
   * first, then by namespace and name. Those its {@code allowedListeners} admits add their
   * listeners to its sockets after its own; a listener that conflicts with one before it (the
   * Gateway's own, or an older ListenerSet's) is not accepted, and only it says so.
   */
  void listenerSets(GatewayInfo info, List<GatewayListenerSet> sets) {
    List<GatewayListenerSet> ordered = new ArrayList<>(sets);
    ordered.sort(
        Comparator.comparing(
                (GatewayListenerSet s) -> s.meta().created(),
                Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder()))
            .thenComparing(s -> s.meta().namespace())
            .thenComparing(s -> s.meta().name()));
    // its own listeners decide (status(info) before any ListenerSet joins)
    boolean parentAccepted = status(info).conditions().get(0).status().equals("True");
    for (GatewayListenerSet set : ordered) {
      ListenerSetInfo ls = new ListenerSetInfo(set, info);
      info.sets.add(ls);
      long gen = set.meta().generation();
      String ns = set.meta().namespace();
      if (!allowsListeners(info.gateway, ns)) {
        ls.notAllowed =
            GatewayCondition.no(
                ACCEPTED,
                "NotAllowed",
                "Gateway "
                    + info.gateway.meta().path()
                    + " does not take listeners of ListenerSets in namespace "
                    + ns
                    + " (its spec.allowedListeners.namespaces.from is "
                    + info.gateway.allowedListeners().from()
                    + ")",
                gen);
        continue;
      }
      if (!parentAccepted) {
        // fail closed: a Gateway not accepted serves no listener of another object either
        ls.notAllowed =
            GatewayCondition.no(
                ACCEPTED,
                "ParentNotAccepted",
                "Gateway " + info.gateway.meta().path() + " is not accepted",
                gen);
        continue;
      }
      List<ListenerInfo> before =
          info.listeners.stream().filter(li -> li.accepted() && li.conflicted == null).toList();
      for (Listener l : set.listeners()) {
        ListenerInfo li = new ListenerInfo(info, ls, l, hostname(l));
        ls.listeners.add(li);
        evaluate(li, gen);
        precedence(li, before, gen);
      }
      conflicts(ls.listeners.stream().filter(li -> li.conflicted == null).toList(), gen);
      info.listeners.addAll(ls.listeners);
    }
  }

  /** Whether the Gateway's {@code allowedListeners} admits ListenerSets of namespace {@code ns}. */
  private boolean allowsListeners(Gateway g, String ns) {
    return switch (g.allowedListeners().from()) {
      case "All" -> true;
      case "Same" -> ns.equals(g.meta().namespace());
      case "Selector" -> selects(g.allowedListeners().selector(), ns);
      default -> false; // None, the default: only the Gateway's owner adds listeners
    };
  }

  /**
   * A ListenerSet's listener against the accepted ones before it on its port: another protocol (one
   * socket per port speaks one), or the same hostname, loses to them.
   */
  private static void precedence(ListenerInfo li, List<ListenerInfo> before, long gen) {
    for (ListenerInfo w : before) {
      if (w.listener.port() != li.listener.port()) {
        continue;
      }
      String reason;
      if (!socketProtocol(w).equals(socketProtocol(li))
          || (Objects.equals(w.hostname, li.hostname)
              && !w.listener.protocol().equals(li.listener.protocol()))) {
        reason = "ProtocolConflict";
      } else if (Objects.equals(w.hostname, li.hostname)) {
        reason = "HostnameConflict";
      } else {
        continue;
      }
      String message =
          (reason.equals("ProtocolConflict")
                  ? "port " + li.listener.port() + " speaks " + w.listener.protocol() + " for "
                  : "hostname \""
                      + Objects.requireNonNullElse(li.hostname, "")
                      + "\" on port "
                      + li.listener.port()
                      + " is taken by ")
              + w.what()
              + ", which comes first (the Gateway's own listeners, then ListenerSets oldest"
              + " first); this listener is not served";
      li.conflicted = GatewayCondition.yes(CONFLICTED, reason, message, gen);
      li.notAccepted = GatewayCondition.no(ACCEPTED, reason, message, gen);
      return;
    }
  }

  /** What a socket on the listener's port speaks: HTTP, TLS (HTTPS and passthrough), or other. */
  private static String socketProtocol(ListenerInfo li) {
    String p = li.listener.protocol();
    return p.equals("HTTPS") ? TLS : p;
  }

  /**
   * A socket per port speaks HTTP, or TLS (terminated or passed through by SNI name): an HTTP
   * listener beside an HTTPS or TLS one on a port cannot be served, so none of that port's is.
   */
  private static void protocolConflicts(List<ListenerInfo> listeners, long gen) {
    Map<Integer, List<ListenerInfo>> byPort = new LinkedHashMap<>();
    for (ListenerInfo li : listeners) {
      if (li.accepted()) {
        byPort.computeIfAbsent(li.listener.port(), k -> new ArrayList<>()).add(li);
      }
    }
    for (Map.Entry<Integer, List<ListenerInfo>> e : byPort.entrySet()) {
      List<ListenerInfo> on = e.getValue();
      long http = on.stream().filter(li -> li.listener.protocol().equals("HTTP")).count();
      if (http == 0 || http == on.size()) {
        continue;
      }
      for (ListenerInfo li : on) {
        li.conflicted =
            GatewayCondition.yes(
                CONFLICTED,
                "ProtocolConflict",
                "port "
                    + e.getKey()
                    + " has listeners of protocol HTTP and of HTTPS or TLS (one socket per port"
                    + " speaks one); none of them is served",
                gen);
      }
    }
  }

  /**
   * The sockets of a Gateway with an address from the pool: one per port with a programmed
   * listener, HTTP or HTTPS (an HTTPS socket also passes TLS through by SNI name). An HTTPS
   * socket's default certificate (served when no certificate covers the SNI name, or none is sent)
   * is that of its listener without a hostname, which matches every name, else that of its only
   * HTTPS listener (every connection to the socket is that listener's; its certificate may cover
   * its hostname only by a wildcard the certificate index does not take, as the suite's {@code
   * *.org}); with two or more listeners with a hostname the node's default certificate stays. That
   * certificate is added to {@code certificates} under the Gateway's namespace.
   */
  List<ListenerSpec> sockets(GatewayInfo g, Map<CertificateKey, CertificateSpec> certificates) {
    String address = g.address();
    Map<Integer, ListenerProtocol> ports = new TreeMap<>();
    Map<Integer, CertificateKey> defaults = new HashMap<>();
    // per port: the certificate of its first HTTPS listener without a hostname, else of its only
    // one
    Map<Integer, CertificateSpec> catchAll = new HashMap<>();
    Map<Integer, CertificateSpec> first = new TreeMap<>();
    Map<Integer, FrontendValidation> validations = new HashMap<>();
    Map<Integer, List<String>> hostnames = new HashMap<>();
    for (ListenerInfo li : g.listeners) {
      if (address != null && li.programmed()) {
        ports.put(
            li.listener.port(),
            li.listener.protocol().equals("HTTP") ? ListenerProtocol.HTTP : ListenerProtocol.HTTPS);
        if (li.https()) {
          // one validation per port (perPort or the default): every HTTPS listener there has it
          if (li.clientValidation != null) {
            validations.putIfAbsent(li.listener.port(), li.clientValidation);
          }
          hostnames
              .computeIfAbsent(li.listener.port(), k -> new ArrayList<>())
              .add(Objects.requireNonNullElse(li.hostname, ""));
        }
        CertificateSpec cert = li.certificate;
        if (li.https() && cert != null) {
          if (li.hostname == null) {
            catchAll.putIfAbsent(li.listener.port(), cert);
          }
          first.putIfAbsent(li.listener.port(), cert);
        }
      }
    }
    first.forEach(
        (port, firstCert) -> {
          CertificateSpec cert = catchAll.get(port);
          if (cert == null && hostnames.getOrDefault(port, List.of()).size() == 1) {
            cert = firstCert; // the socket's only HTTPS listener
          }
          if (cert != null) {
            // under the Gateway's tenant, as a route's copy is under the route's: its own only
            CertificateKey key = CertificateKey.of(g.namespace(), cert.key().name());
            defaults.put(port, key);
            certificates.put(
                key, new CertificateSpec(key, cert.certificateChainPem(), cert.privateKey()));
          }
        });
    List<ListenerSpec> out = new ArrayList<>();
    ports.forEach(
        (port, protocol) -> {
          List<String> names = hostnames.getOrDefault(port, List.of());
          out.add(
              new ListenerSpec(
                  Objects.requireNonNull(g.socket(port)),
                  Objects.requireNonNull(address),
                  port,
                  protocol,
                  defaults.get(port),
                  validations.get(port),
                  // with one listener every request is its own or no route's: no 421 to tell
                  names.size() > 1 ? names : List.of()));
        });
    return out;
  }

  /** The listener's {@code supportedKinds}: of {@code served}, those its allowedRoutes name. */
  private void kinds(ListenerInfo li, List<GatewayKind> served, long gen) {
    List<GroupKind> asked = li.listener.kinds();
    if (asked == null) {
      for (GatewayKind k : served) {
        li.kinds.add(new RouteGroupKind(GatewayKind.GROUP, k.kind()));
      }
      return;
    }
    List<String> refused = new ArrayList<>();
    for (GroupKind gk : asked) {
      boolean known =
          gk.group().equals(GatewayKind.GROUP)
              && served.stream().anyMatch(k -> k.kind().equals(gk.kind()));
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
      List<String> names = served.stream().map(GatewayKind::kind).toList();
      li.invalidKinds =
          GatewayCondition.no(
              RESOLVED_REFS,
              "InvalidRouteKinds",
              "allowedRoutes.kinds: "
                  + String.join(", ", refused)
                  + " (expected on protocol "
                  + li.listener.protocol()
                  + ": gateway.networking.k8s.io/"
                  + String.join(" or ", names)
                  + ")",
              gen);
    }
  }

  /**
   * {@code RefNotPermitted} for a core {@code kind} of another namespace than {@code gwNs} that no
   * ReferenceGrant there allows objects of kind {@code from} (Gateway or ListenerSet) of {@code
   * gwNs} to use; null when it may be used.
   */
  private @Nullable GatewayCondition notPermitted(
      String from, String gwNs, String field, String kind, String ns, String name, long gen) {
    if (ns.equals(gwNs) || grants.granted(from, gwNs, GatewayObjects.CORE, kind, ns, name)) {
      return null;
    }
    return GatewayCondition.no(
        RESOLVED_REFS,
        "RefNotPermitted",
        field
            + ": "
            + kind
            + " "
            + ns
            + "/"
            + name
            + " is in another namespace and no ReferenceGrant there allows "
            + from
            + "s of "
            + gwNs
            + " to use it",
        gen);
  }

  private void certificate(ListenerInfo li, long gen) {
    // a ListenerSet's references are its own: granted to ListenerSets of its namespace
    String gwNs = li.namespace();
    String from = li.set == null ? GatewayKind.GATEWAY.kind() : GatewayKind.LISTENER_SET.kind();
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
      GatewayCondition refused = notPermitted(from, gwNs, field, "Secret", ns, ref.name(), gen);
      if (refused != null) {
        li.unresolved = refused;
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
          // no DNS name needed: such a certificate serves as its socket's default (every name)
          Validated<ValidCertificate> v = CertificateValidator.validate(spec, clock, false);
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
   * {@code spec.tls.backend.clientCertificateRef}: a kubernetes.io/tls Secret of the Gateway's
   * namespace (or another's, with a ReferenceGrant there) whose pair passes the client certificate
   * checks; else the Gateway's ResolvedRefs condition says why (InvalidClientCertificateRef or
   * RefNotPermitted), and its routes' TLS backends answer 500 rather than connect without it.
   */
  private void backendClientCertificate(GatewayInfo info, Ref ref, long gen) {
    String gwNs = info.namespace();
    String ns = ref.namespace() == null ? gwNs : ref.namespace();
    String field = "spec.tls.backend.clientCertificateRef";
    String why = null;
    boolean secretRef = ref.group().equals(GatewayObjects.CORE) && ref.kind().equals("Secret");
    GatewayCondition refused =
        secretRef
            ? notPermitted(GatewayKind.GATEWAY.kind(), gwNs, field, "Secret", ns, ref.name(), gen)
            : null;
    if (refused != null) {
      info.backendUnresolved = refused;
      return;
    }
    if (!secretRef) {
      why = ref.group() + "/" + ref.kind() + " (expected: a core Secret)";
    } else {
      Optional<V1Secret> secret = cluster.secret(ns, ref.name());
      Map<String, byte[]> data =
          secret.isEmpty() || secret.get().getData() == null ? Map.of() : secret.get().getData();
      if (secret.isEmpty()) {
        why = "Secret " + ns + "/" + ref.name() + " not found";
      } else if (!TLS_SECRET.equals(secret.get().getType())
          || data.get("tls.crt") == null
          || data.get("tls.key") == null) {
        why =
            "Secret "
                + ns
                + "/"
                + ref.name()
                + ": type \""
                + secret.get().getType()
                + "\" (expected: kubernetes.io/tls with tls.crt and tls.key)";
      } else {
        KeyCertPem pair =
            new KeyCertPem(
                new String(data.get("tls.crt"), StandardCharsets.US_ASCII),
                new PrivateKeyPem(new String(data.get("tls.key"), StandardCharsets.US_ASCII)));
        Validated<ValidKeyCert> v =
            CertificateValidator.validateClientCertificate(field + ".", pair);
        if (v.isValid()) {
          info.backendClientCertificate = pair;
          return;
        }
        // the validator's messages name fields and rules, never the key
        why = "Secret " + ns + "/" + ref.name() + ": " + messages(v.violations());
      }
    }
    info.backendUnresolved =
        GatewayCondition.no(RESOLVED_REFS, "InvalidClientCertificateRef", field + ": " + why, gen);
  }

  /**
   * The CA bundle of an HTTPS listener's client certificate validation ({@code spec.tls.frontend}):
   * ConfigMaps with {@code ca.crt}, of the Gateway's namespace or granted by a ReferenceGrant. A
   * reference that does not resolve makes {@code ResolvedRefs=False} (with the spec's reasons) and
   * the listener unprogrammed; none resolving makes it not accepted ({@code NoValidCACertificate}):
   * a socket that cannot check certificates is not served without the check.
   */
  private void clientValidation(ListenerInfo li, Validation v, long gen) {
    String gwNs = li.gateway.namespace();
    StringBuilder bundle = new StringBuilder();
    GatewayCondition failed = null;
    for (int i = 0; i < v.caCertificateRefs().size(); i++) {
      Ref ref = v.caCertificateRefs().get(i);
      String field = "tls.frontend validation caCertificateRefs[" + i + "]";
      String ns = ref.namespace() == null ? gwNs : ref.namespace();
      GatewayCondition why = null;
      if (!ref.group().equals(GatewayObjects.CORE) || !ref.kind().equals("ConfigMap")) {
        why =
            GatewayCondition.no(
                RESOLVED_REFS,
                "InvalidCACertificateKind",
                field
                    + ": "
                    + (ref.group().isEmpty() ? "" : ref.group() + "/")
                    + ref.kind()
                    + " (expected: a core ConfigMap)",
                gen);
      } else {
        why =
            notPermitted(GatewayKind.GATEWAY.kind(), gwNs, field, "ConfigMap", ns, ref.name(), gen);
      }
      if (why == null) {
        Optional<V1ConfigMap> cm = cluster.configMap(ns, ref.name());
        String pem =
            cm.isEmpty() || cm.get().getData() == null ? null : cm.get().getData().get(CA_KEY);
        String problem;
        if (cm.isEmpty()) {
          problem = "not found";
        } else if (pem == null) {
          problem = "no key " + CA_KEY;
        } else {
          Validated<List<X509Certificate>> cas = CertificateValidator.validateCaBundle(CA_KEY, pem);
          problem = cas.value() == null ? messages(cas.violations()) : null;
        }
        if (problem != null) {
          why =
              GatewayCondition.no(
                  RESOLVED_REFS,
                  "InvalidCACertificateRef",
                  field + ": ConfigMap " + ns + "/" + ref.name() + ": " + problem,
                  gen);
        } else {
          String ca = Objects.requireNonNull(pem, "pem");
          bundle.append(ca.endsWith("\n") ? ca : ca + "\n");
        }
      }
      if (why != null && failed == null) {
        failed = why;
      }
    }
    if (failed != null && li.unresolved == null) {
      li.unresolved = failed;
    }
    if (bundle.isEmpty()) {
      li.notAccepted =
          GatewayCondition.no(
              ACCEPTED,
              "NoValidCACertificate",
              "no CA certificate of tls.frontend validation resolves; the listener is not served"
                  + " without client certificate validation",
              gen);
      return;
    }
    li.clientValidation = new FrontendValidation(bundle.toString(), v.insecureFallback());
  }

  /** Whether the listener's {@code allowedRoutes.namespaces} admits {@code ns}. */
  boolean admits(ListenerInfo li, String ns) {
    return switch (li.listener.from()) {
      case "All" -> true;
      case "Same" -> ns.equals(li.namespace());
      case "Selector" -> selects(li.listener.selector(), ns);
      default -> false;
    };
  }

  /** Whether {@code s} selects namespace {@code ns} by its labels. */
  private boolean selects(GatewayObjects.@Nullable Selector s, String ns) {
    Optional<V1Namespace> n = state.namespace(ns);
    Map<String, String> labels = new HashMap<>();
    if (n.isPresent() && n.get().getMetadata() != null) {
      Map<String, String> l = n.get().getMetadata().getLabels();
      labels.putAll(l == null ? Map.of() : l);
    }
    // the API server sets it on every namespace; a cache or fixture may not show it yet
    labels.put("kubernetes.io/metadata.name", ns);
    // a namespace not seen yet is not admitted: fail closed until the informer has it
    return s != null && n.isPresent() && s.matches(labels);
  }

  /** The namespaces the listener admits, of those that can claim a host; null for all. */
  @Nullable Set<String> group(ListenerInfo li) {
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

  GatewayStatus status(GatewayInfo g) {
    long gen = g.gateway.meta().generation();
    List<Address> addresses = new ArrayList<>();
    Assignment pooled = g.assignment;
    if (pooled == null) {
      for (String a : settings.addresses()) {
        addresses.add(new Address(isIp(a) ? "IPAddress" : "Hostname", a));
      }
    } else if (pooled.address() != null) {
      addresses.add(new Address("IPAddress", pooled.address()));
    }
    List<String> unsupported = g.unsupportedAddresses;
    List<ListenerInfo> own = g.own();
    long accepted = own.stream().filter(ListenerInfo::accepted).count();
    long programmed = own.stream().filter(ListenerInfo::programmed).count();
    List<GatewayCondition> conditions = new ArrayList<>();
    GatewayCondition acceptedCondition;
    if (pooled != null && pooled.outcome() == Outcome.UNSUPPORTED) {
      acceptedCondition = GatewayCondition.no(ACCEPTED, "UnsupportedAddress", pooled.detail(), gen);
    } else if (!unsupported.isEmpty()) {
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
    } else if (accepted == 0 && !own.isEmpty()) {
      acceptedCondition =
          GatewayCondition.no(ACCEPTED, "ListenersNotValid", "no listener is accepted", gen);
    } else if (accepted < own.size()) {
      acceptedCondition =
          GatewayCondition.yes(
              ACCEPTED,
              "ListenersNotValid",
              (own.size() - accepted) + " listener(s) not accepted; see status.listeners",
              gen);
    } else {
      acceptedCondition = GatewayCondition.yes(ACCEPTED, "Accepted", "accepted", gen);
    }
    conditions.add(acceptedCondition);
    if (g.gateway.backendClientCertificate() != null) {
      // the Gateway's own references: only its backend client certificate so far
      conditions.add(
          g.backendUnresolved != null
              ? g.backendUnresolved
              : GatewayCondition.yes(RESOLVED_REFS, "ResolvedRefs", "references resolved", gen));
    }
    if (pooled != null && pooled.outcome() == Outcome.NOT_USABLE) {
      conditions.add(GatewayCondition.no(PROGRAMMED, "AddressNotUsable", pooled.detail(), gen));
    } else if (pooled != null && pooled.outcome() == Outcome.EXHAUSTED) {
      conditions.add(GatewayCondition.no(PROGRAMMED, "AddressNotAssigned", pooled.detail(), gen));
    } else if (pooled != null && pooled.outcome() == Outcome.UNSUPPORTED) {
      conditions.add(GatewayCondition.no(PROGRAMMED, "Invalid", "not accepted; see Accepted", gen));
    } else if (addresses.isEmpty()) {
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
    if (g.listeners.stream()
        .anyMatch(li -> li.clientValidation != null && li.clientValidation.insecureFallback())) {
      conditions.add(
          GatewayCondition.yes(
              INSECURE_FRONTEND_VALIDATION,
              "ConfigurationChanged",
              "tls.frontend validation mode AllowInsecureFallback: connections without a valid"
                  + " client certificate are served",
              gen));
    }
    List<ListenerStatus> listeners = new ArrayList<>();
    for (ListenerInfo li : own) {
      listeners.add(listenerStatus(li));
    }
    // written once the Gateway takes ListenerSets: a Gateway that takes none keeps its status
    Integer attachedSets =
        g.gateway.allowedListeners().from().equals("None")
            ? null
            : (int) g.sets.stream().filter(ListenerSetInfo::accepted).count();
    return new GatewayStatus(
        new ObjectRef(GatewayKind.GATEWAY, g.namespace(), g.gateway.meta().name()),
        addresses,
        conditions,
        listeners,
        attachedSets);
  }

  /** A ListenerSet's status: attached or not, and its listeners as a Gateway's. */
  GatewayStatus status(ListenerSetInfo ls) {
    long gen = ls.set.meta().generation();
    List<GatewayCondition> conditions = new ArrayList<>();
    List<ListenerStatus> listeners = new ArrayList<>();
    GatewayCondition notAllowed = ls.notAllowed;
    if (notAllowed != null) {
      conditions.add(notAllowed);
      conditions.add(
          GatewayCondition.no(PROGRAMMED, notAllowed.reason(), notAllowed.message(), gen));
    } else {
      long valid = ls.listeners.stream().filter(ListenerInfo::valid).count();
      long programmed = ls.listeners.stream().filter(ListenerInfo::programmed).count();
      if (valid == 0) {
        String why = "no listener is valid; see status.listeners";
        conditions.add(GatewayCondition.no(ACCEPTED, "ListenersNotValid", why, gen));
        conditions.add(GatewayCondition.no(PROGRAMMED, "ListenersNotValid", why, gen));
      } else {
        conditions.add(
            valid < ls.listeners.size()
                ? GatewayCondition.yes(
                    ACCEPTED,
                    "ListenersNotValid",
                    (ls.listeners.size() - valid) + " listener(s) not valid; see status.listeners",
                    gen)
                : GatewayCondition.yes(ACCEPTED, "Accepted", "accepted", gen));
        conditions.add(
            programmed > 0
                ? GatewayCondition.yes(
                    PROGRAMMED,
                    "Programmed",
                    "served on the sockets of Gateway " + ls.gateway.gateway.meta().path(),
                    gen)
                : GatewayCondition.no(
                    PROGRAMMED,
                    "Invalid",
                    "Gateway " + ls.gateway.gateway.meta().path() + " is not served",
                    gen));
      }
      for (ListenerInfo li : ls.listeners) {
        listeners.add(listenerStatus(li));
      }
    }
    return new GatewayStatus(ls.ref(), List.of(), conditions, listeners, null);
  }

  private static ListenerStatus listenerStatus(ListenerInfo li) {
    long gen = li.generation();
    List<GatewayCondition> lc = new ArrayList<>();
    lc.add(
        li.notAccepted != null
            ? li.notAccepted
            : GatewayCondition.yes(ACCEPTED, "Accepted", "accepted", gen));
    GatewayCondition conflict = li.conflicted;
    GatewayCondition notAccepted = li.notAccepted;
    // a listener that lost to one before it says why in each condition
    String notProgrammed =
        conflict != null && notAccepted != null && conflict.reason().equals(notAccepted.reason())
            ? conflict.reason()
            : "Invalid";
    lc.add(
        li.programmed()
            ? GatewayCondition.yes(PROGRAMMED, "Programmed", "served by every node", gen)
            : GatewayCondition.no(
                PROGRAMMED, notProgrammed, "not served; see the other conditions", gen));
    lc.add(
        li.unresolvedRefs() != null
            ? li.unresolvedRefs()
            : GatewayCondition.yes(RESOLVED_REFS, "ResolvedRefs", "references resolved", gen));
    lc.add(
        li.conflicted != null
            ? li.conflicted
            : GatewayCondition.no(CONFLICTED, "NoConflicts", "no conflict", gen));
    return new ListenerStatus(li.listener.name(), li.kinds, li.accepted() ? li.attached : 0, lc);
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

  static String messages(List<Violation> violations) {
    List<String> out = new ArrayList<>();
    for (Violation v : violations) {
      out.add(v.message());
    }
    return String.join("; ", out);
  }
}
