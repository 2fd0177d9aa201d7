package io.gatehouse.k8s.translate;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.EndpointPolicy;
import io.gatehouse.validate.HeaderTemplate;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.Htpasswd;
import io.gatehouse.validate.PolicyValidator;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Translates the Ingresses of this controller's classes into validated routes of source {@code
 * k8s}. Pure: the same state, claims and clock always give the same {@link Translation}, and no
 * user input makes it throw; what is wrong becomes an {@link IngressProblem}. (An instance
 * remembers the route validations of its last call, so unchanged Ingresses are not validated again;
 * that changes no result.)
 *
 * <p>Rules:
 *
 * <ul>
 *   <li><b>Class.</b> An Ingress is ours when {@code spec.ingressClassName} names an IngressClass
 *       whose controller is {@value #CONTROLLER}; without it, when the legacy annotation {@value
 *       #LEGACY_CLASS_ANNOTATION} names such a class (or a configured class name); without either,
 *       when one of our classes carries {@value #DEFAULT_CLASS_ANNOTATION}{@code : "true"}. An
 *       IngressClass of ingress-nginx's controller ({@value #NGINX_CONTROLLER}) is ours too when
 *       the operator lists its name ({@code nginx}), so a cluster switches without editing its
 *       Ingresses. Anything else is ignored: no routes, no problems, no status.
 *   <li><b>Tenancy.</b> The namespace is the tenant. A host (or the catch-all of host-less rules
 *       and {@code defaultBackend}) belongs to one namespace: the one holding an admin {@link
 *       HostClaim} on it (exact, or a wildcard claim one label up), else the namespace of the
 *       oldest Ingress naming it (creationTimestamp, then namespace/name), unless a Gateway API
 *       route attached to that host ({@link HostClaimant}) is older: then the namespaces its
 *       listener admits. Other namespaces get a {@code HostConflict} warning and are not served for
 *       that host.
 *   <li><b>Paths.</b> Within the owning namespace, one host (or every host), path and priority is
 *       served by one Ingress: the oldest (creationTimestamp, then name), as ingress-nginx keeps
 *       the first Ingress's location; the others get a {@code PathConflict} warning for it.
 *   <li><b>Canaries.</b> An Ingress with {@code nginx.ingress.kubernetes.io/canary: "true"} and
 *       weights ({@link IngressAnnotations.Canary}) serves no route of its own: each of its paths
 *       joins the route of the primary Ingress of its namespace with the same host, path and
 *       pathType (its {@code defaultBackend}: the primary's catch-all {@code defaultBackend}) as a
 *       second backend, the primary weighing {@code total - weight} and the canary {@code weight},
 *       as ingress-nginx, and the canary's header and cookie rule on its backend ({@code
 *       CanaryRule}). The canary is joined to that host's route only: another host (or Ingress)
 *       served by the same Service is never affected, where ingress-nginx attaches a canary to the
 *       Service's upstream and so to every host using it. The canary's settings (protocol,
 *       timeouts, TLS...) are the primary's. A path with no such primary is not served ({@code
 *       CanaryWithoutPrimary}); one canary per primary path, the oldest, as ingress-nginx applies
 *       one ({@code CanaryConflict} for the others). A canary with no path served gets no status.
 *   <li><b>Names.</b> Route {@code <ingress>.r<rule>.p<path>} per path; {@code <ingress>.default}
 *       for {@code defaultBackend} on every host no rule claims, and {@code
 *       <ingress>.r<rule>.default} for it on a rule's host at priority -1 (a rule's own paths win).
 *   <li><b>Paths.</b> {@code Exact} and {@code Prefix} as in Kubernetes (prefix by whole path
 *       elements); {@code ImplementationSpecific} is {@code Prefix}. On a host where an Ingress
 *       asks for regex ({@code use-regex}, {@code rewrite-target}), every path of the host is
 *       nginx's {@code location ~* "^PATH"} ({@link #nginxRegex}), as ingress-nginx; a {@code
 *       server-alias} or {@code from-to-www-redirect} name that is a rule's host is not served.
 *   <li><b>Backends.</b> A route refers to the Service port by number or name ({@code
 *       BackendRef.ServicePort}) and carries no endpoints: each node's endpoint feed computes them
 *       with {@link ServiceEndpoints} (the ready endpoints of its EndpointSlices at the slice port
 *       whose name matches the Service port's, falling back to serving-but-terminating ones only
 *       when none is ready; an ExternalName Service is its DNS name at the Service port). A missing
 *       Service or port gives a warning here and no endpoints there (503); resource backends are
 *       refused.
 *   <li><b>Upstream policy.</b> An ExternalName the {@link EndpointPolicy} refuses (by default
 *       loopback and {@code localhost}, link-local, cloud metadata, unspecified, plus the
 *       operator's CIDRs: see {@link #upstreamPolicy}) leaves the route with no endpoints (503) and
 *       an {@code UpstreamRefused} warning naming the Service; a refused EndpointSlice address
 *       (loopback always is) is dropped with the same warning, the other addresses still serve.
 *   <li><b>TLS.</b> A {@code kubernetes.io/tls} Secret of the Ingress's namespace becomes
 *       certificate {@code <namespace>/k8s.<secret>}, checked by {@link CertificateValidator}. Its
 *       hosts are served over HTTPS with a 308 redirect from HTTP (unless {@code ssl-redirect:
 *       false}); a host the certificate does not cover, or whose Secret is missing or invalid,
 *       still gets HTTPS with the default certificate, and a warning naming host and Secret.
 *   <li><b>Access control.</b> The access annotations ({@link AccessAnnotations}) become the
 *       route's access policies; the Secrets they name (htpasswd users, client CAs) are read from
 *       the Ingress's own namespace, and one that is missing or cannot be used refuses the Ingress
 *       (never served open). Client certificates apply to the Ingress's HTTPS hosts; a route of it
 *       without one is not served.
 * </ul>
 */
public final class IngressTranslator {
  public static final String SOURCE = "k8s";
  public static final String CONTROLLER = "gatehouse.io/ingress-controller";
  public static final String DEFAULT_CLASS_ANNOTATION =
      "ingressclass.kubernetes.io/is-default-class";
  public static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

  /** ingress-nginx's controller name: its IngressClasses are ours only when listed by name. */
  public static final String NGINX_CONTROLLER = "k8s.io/ingress-nginx";

  /** The names of a comma list ({@code "gatehouse, nginx"}), blanks dropped. */
  static Set<String> classNames(String commaList) {
    Set<String> names = new TreeSet<>();
    for (String n : commaList.split(",")) {
      if (!n.isBlank()) {
        names.add(n.trim());
      }
    }
    return Set.copyOf(names);
  }

  /** An ingress-nginx IngressClass the operator listed by name. */
  private boolean isListedNginxClass(V1IngressClass c) {
    return NGINX_CONTROLLER.equals(c.getSpec().getController())
        && classNames.contains(c.getMetadata().getName());
  }

  /** Certificates made from Secrets are named {@code k8s.<secret>} in the Ingress's tenant. */
  public static final String CERTIFICATE_PREFIX = CertificateKey.KUBERNETES_PREFIX;

  static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

  /** The key of the catch-all in host ownership: host-less rules and default backends. */
  private static final String ANY_HOST = "";

  /** The written path of a {@code defaultBackend} candidate, for canary matching. */
  private static final String DEFAULT_BACKEND = "defaultBackend";

  private static final Comparator<V1Ingress> OLDEST_FIRST =
      Comparator.comparing(
              (V1Ingress i) -> i.getMetadata().getCreationTimestamp(),
              Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder()))
          .thenComparing(IngressTranslator::ref);

  /** The IngressClass names the operator listed; empty for every class of our controller. */
  private final Set<String> classNames;

  private final Clock clock;
  private final ServiceEndpoints serviceEndpoints;

  /** The ExternalName rule, which a mirror-target's host is held to as well. */
  private final EndpointPolicy upstreams;

  /** ingress-nginx's controller ConfigMap, read at every translation; null when none is set. */
  private final @Nullable IngressRef controllerConfigMap;

  /** With the default {@link #upstreamPolicy}: no extra CIDRs, loopback refused. */
  public IngressTranslator(String className, Clock clock) {
    this(className, clock, upstreamPolicy(List.of(), false));
  }

  /**
   * Route validation is pure, so its results are remembered from one translation to the next: an
   * unchanged Ingress is not validated again. Holds what the last call validated, nothing older.
   */
  private Map<RouteSpec, Validated<RouteSpec>> validated = new HashMap<>();

  /**
   * @param className a comma list of IngressClass names: when not empty, only the classes of these
   *     names count as ours, each naming our controller or ingress-nginx's ({@value
   *     #NGINX_CONTROLLER}, so a cluster can switch controllers without editing its Ingresses);
   *     empty accepts every class of our controller
   * @param clock for certificate validity
   * @param upstreams the ExternalNames refused; EndpointSlice addresses are held to it plus
   *     loopback and unspecified addresses whatever it allows
   */
  public IngressTranslator(String className, Clock clock, EndpointPolicy upstreams) {
    this(className, clock, upstreams, "");
  }

  /**
   * @param nginxConfigMap {@code namespace/name} of ingress-nginx's controller ConfigMap, whose
   *     keys become the defaults of every Ingress ({@link ControllerConfigMap}); empty for none
   */
  public IngressTranslator(
      String className, Clock clock, EndpointPolicy upstreams, String nginxConfigMap) {
    this.classNames = classNames(Objects.requireNonNull(className, "className"));
    this.clock = Objects.requireNonNull(clock, "clock");
    this.serviceEndpoints = serviceEndpoints(upstreams);
    this.upstreams = upstreams;
    String[] cm = nginxConfigMap.split("/", -1);
    if (!nginxConfigMap.isEmpty() && cm.length != 2) {
      throw new IllegalArgumentException(
          "nginxConfigMap: \"" + nginxConfigMap + "\" (expected: namespace/name)");
    }
    this.controllerConfigMap = nginxConfigMap.isEmpty() ? null : new IngressRef(cm[0], cm[1]);
  }

  /**
   * The endpoint rules under {@code upstreams}: ExternalNames held to it, EndpointSlice addresses
   * to it plus loopback and unspecified addresses. The node's endpoint feed uses the same, so both
   * compute the same endpoints.
   */
  public static ServiceEndpoints serviceEndpoints(EndpointPolicy upstreams) {
    Objects.requireNonNull(upstreams, "upstreams");
    EndpointPolicy sliceAddresses = upstreams.denyingLoopback().denyingUnspecified();
    return new ServiceEndpoints(upstreams::refusal, sliceAddresses::refusal);
  }

  /**
   * The policy for Kubernetes upstreams: {@link EndpointPolicy#withDefaults} (link-local, cloud
   * metadata) plus {@code deniedCidrs}, unspecified addresses, and loopback ({@code 127.0.0.0/8},
   * {@code ::1}, {@code localhost}) unless {@code allowLoopbackExternalNames}. Any namespace can
   * create an ExternalName Service, so allowing loopback lets every tenant reach the node's own
   * listeners: for single-tenant and development clusters only.
   *
   * @throws IllegalArgumentException on a malformed CIDR (checked with {@link
   *     EndpointPolicy#isCidr} when the configuration is loaded)
   */
  public static EndpointPolicy upstreamPolicy(
      List<String> deniedCidrs, boolean allowLoopbackExternalNames) {
    EndpointPolicy p = EndpointPolicy.withDefaults(deniedCidrs).denyingUnspecified();
    return allowLoopbackExternalNames ? p : p.denyingLoopback();
  }

  /**
   * @param claims the table's host claims (validated host to claim); a claim of another tenant
   *     keeps every other namespace off that host
   */
  public synchronized Translation translate(ClusterState state, Map<String, HostClaim> claims) {
    return translate(state, claims, List.of());
  }

  /**
   * @param claims the table's host claims (validated host to claim); a claim of another tenant
   *     keeps every other namespace off that host
   * @param claimants the Gateway API routes attached to our listeners, by host: one older than
   *     every Ingress naming its host holds that host for its group (docs/gateway-api.md)
   */
  public synchronized Translation translate(
      ClusterState state, Map<String, HostClaim> claims, List<HostClaimant> claimants) {
    Run run = new Run(state, claims, claimants);
    Translation t = run.run();
    validated = run.validatedNow;
    return t;
  }

  /** A path as written (pathType and value, defaults filled in), as ingress-nginx matches it. */
  private static String writtenPath(V1HTTPIngressPath p) {
    String type = p.getPathType() == null ? "ImplementationSpecific" : p.getPathType();
    String value = p.getPath() == null || p.getPath().isEmpty() ? "/" : p.getPath();
    return type + " \"" + value + "\"";
  }

  static IngressRef ref(V1Ingress ingress) {
    V1ObjectMeta m = ingress.getMetadata();
    return new IngressRef(
        m == null || m.getNamespace() == null ? "" : m.getNamespace(),
        m == null || m.getName() == null ? "" : m.getName());
  }

  /** One translation; holds the caches and the output of a single call. */
  private final class Run {
    private final ClusterState state;
    private final Map<String, HostClaim> claims;
    // issue #17: the oldest Gateway API route attached to each host
    private final Map<String, HostClaimant> oldestClaimant = new HashMap<>();
    private final Map<IngressRef, List<IngressProblem>> problems = new TreeMap<>();
    private final Set<IngressRef> refused = new HashSet<>();
    private final Set<IngressRef> canary = new HashSet<>();
    private final Map<IngressRef, OffsetDateTime> created = new HashMap<>();

    private final Map<CertificateKey, CertificateSpec> secrets = new HashMap<>();
    private final Map<CertificateKey, Optional<ValidCertificate>> checked = new HashMap<>();
    private final Map<EndpointsKey, ServiceEndpoints.Result> endpointsOf = new HashMap<>();
    private final Map<Translation.SlicePort, Map<String, String>> sliceRefusals = new HashMap<>();
    private final Map<RouteSpec, Validated<RouteSpec>> validatedNow = new HashMap<>();
    // issue #16: each served Ingress's backend TLS (null: plain), read once per translation
    private final Map<IngressRef, Optional<UpstreamTls>> upstreamTlsOf = new HashMap<>();
    private final Set<IngressRef> unverified = new HashSet<>();

    /** The server-alias candidates: they yield to any rule's host, as ingress-nginx. */
    private final Set<Candidate> aliases = Collections.newSetFromMap(new IdentityHashMap<>());

    private final Set<String> aliasesReported = new HashSet<>();

    /** ingress-nginx's controller ConfigMap as this translation reads it; null when none. */
    private final @Nullable ControllerConfigMap controller;

    Run(ClusterState state, Map<String, HostClaim> claims, List<HostClaimant> claimants) {
      this.state = state;
      this.claims = claims;
      List<HostClaimant> sorted = new ArrayList<>(claimants);
      sorted.sort(HostClaimant.OLDEST_FIRST);
      for (HostClaimant g : sorted) {
        oldestClaimant.putIfAbsent(g.host(), g);
      }
      IngressRef cm = controllerConfigMap;
      this.controller =
          cm == null
              ? null
              : ControllerConfigMap.read(
                  cm,
                  state
                      .configMap(cm.namespace(), cm.name())
                      .map(V1ConfigMap::getData)
                      .orElse(Map.of()));
    }

    /** The HSTS of the routes of hosts with a tls section (ingress-nginx's ConfigMap). */
    Hsts hsts() {
      return controller == null ? Hsts.OFF : controller.hsts();
    }

    /**
     * {@code ann} with the controller ConfigMap's defaults for what the Ingress does not set
     * itself; null when a ConfigMap key that cannot be honoured covers the Ingress (reported).
     */
    private @Nullable IngressAnnotations controllerDefaults(
        V1Ingress ingress, IngressAnnotations ann) {
      ControllerConfigMap c = controller;
      if (c == null) {
        return ann;
      }
      IngressRef ref = ref(ingress);
      Map<String, String> a =
          ingress.getMetadata().getAnnotations() == null
              ? Map.of()
              : ingress.getMetadata().getAnnotations();
      boolean tls = ingress.getSpec().getTls() != null && !ingress.getSpec().getTls().isEmpty();
      boolean blocked = false;
      for (ControllerConfigMap.Refusal r : c.refusals()) {
        String optOut = a.get(IngressAnnotations.NGINX + "enable-global-auth");
        boolean covered =
            switch (r.covers()) {
              case ALL -> true;
              case TLS -> tls;
              case PLAIN_HTTP -> !tls;
              case GLOBAL_AUTH -> optOut == null || !optOut.trim().equals("false");
            };
        if (covered) {
          blocked = true;
          problem(
              ref,
              ControllerConfigMap.REFUSED_REASON,
              "controller ConfigMap "
                  + c.ref()
                  + " "
                  + r.message()
                  + "; the Ingress is not served until the key is removed");
        }
      }
      if (blocked) {
        return null;
      }
      Timeouts t = ann.timeouts();
      Duration connect =
          has(a, "connect-timeout", "proxy-connect-timeout") ? t.connect() : c.connect();
      Duration response =
          has(a, "response-timeout", "proxy-read-timeout") ? t.response() : c.read();
      Duration bodyIdle =
          has(a, "body-idle-timeout", "proxy-read-timeout") ? t.bodyIdle() : c.read();
      Limits limits =
          has(a, "max-body-size", "proxy-body-size")
              ? ann.limits()
              : new Limits(c.maxBodyBytes(), ann.limits().maxResponseHeaderBytes());
      boolean sslRedirect =
          has(a, "ssl-redirect", "ssl-redirect") ? ann.sslRedirect() : c.sslRedirect();
      boolean ownAllow =
          has(a, "allow-source-range", "whitelist-source-range")
              || a.containsKey(IngressAnnotations.NGINX + "allowlist-source-range");
      List<String> allow = ownAllow ? List.of() : c.allow();
      List<String> deny = new ArrayList<>();
      if (!has(a, "deny-source-range", "denylist-source-range")) {
        deny.addAll(c.deny());
      }
      deny.addAll(c.block());
      List<PolicySpec> policies = new ArrayList<>(ann.policies());
      if (!allow.isEmpty() || !deny.isEmpty()) {
        int at = -1;
        for (int i = 0; i < policies.size(); i++) {
          if (policies.get(i) instanceof IpAccess) {
            at = i;
            break;
          }
        }
        if (at < 0) {
          policies.add(0, new IpAccess(allow, deny));
        } else {
          IpAccess own = (IpAccess) policies.get(at);
          List<String> allAllow = new ArrayList<>(own.allow());
          allAllow.addAll(allow);
          List<String> allDeny = new ArrayList<>(own.deny());
          allDeny.addAll(deny);
          policies.set(at, new IpAccess(allAllow, allDeny));
        }
      }
      return new IngressAnnotations(
          ann.protocol(),
          sslRedirect,
          new Timeouts(connect, response, bodyIdle, t.request()),
          limits,
          ann.useRegex(),
          ann.canary(),
          ann.refused(),
          ann.problems(),
          policies,
          ann.fromToWww(),
          ann.backendPolicy(),
          ann.access(),
          ann.clientAuth(),
          ann.upstreamTls(),
          ann.hosts(),
          ann.proxy());
    }

    Translation run() {
      Set<String> ours = new TreeSet<>();
      boolean defaultIsOurs = false;
      for (V1IngressClass c : state.ingressClasses()) {
        if (c.getMetadata() == null
            || c.getSpec() == null
            || !(CONTROLLER.equals(c.getSpec().getController()) || isListedNginxClass(c))) {
          continue;
        }
        String name = c.getMetadata().getName();
        if (!classNames.isEmpty() && !classNames.contains(name)) {
          continue;
        }
        ours.add(name);
        Map<String, String> a = c.getMetadata().getAnnotations();
        if (a != null && "true".equals(a.get(DEFAULT_CLASS_ANNOTATION))) {
          defaultIsOurs = true;
        }
      }
      List<V1Ingress> mine = new ArrayList<>();
      for (V1Ingress i : state.ingresses()) {
        if (i.getMetadata() != null && isOurs(i, ours, defaultIsOurs)) {
          mine.add(i);
        }
      }
      mine.sort(OLDEST_FIRST);
      for (V1Ingress i : mine) {
        created.put(ref(i), i.getMetadata().getCreationTimestamp());
      }

      List<Candidate> candidates = new ArrayList<>();
      // a canary's paths by (namespace, host, path as written): the oldest canary's only
      Map<CanaryKey, Candidate> canaries = new LinkedHashMap<>();
      for (V1Ingress i : mine) {
        for (Candidate c : candidates(i)) {
          if (c.ann.canary() == null) {
            candidates.add(c);
            continue;
          }
          Candidate first = canaries.putIfAbsent(c.canaryKey(), c);
          if (first != null) {
            canaryConflict(c, first);
          }
        }
      }
      hostRules(candidates);
      // canary paths met by their primary, and the canaries then served by at least one path
      Set<Candidate> tried = new HashSet<>();
      Set<IngressRef> canariesServed = new HashSet<>();
      Map<String, Owner> owners = owners(candidates);
      List<RouteSpec> routes = new ArrayList<>();
      Set<String> warned = new LinkedHashSet<>();
      // one route per host, path and priority: the oldest Ingress's (candidates come oldest
      // first), never the one whose name sorts first at request time
      Map<PathKey, Candidate> servedBy = new HashMap<>();
      Map<RouteKey, IngressRef> origins = new HashMap<>();
      for (Candidate c : candidates) {
        Owner owner = Objects.requireNonNull(owners.get(c.host), "owners has every host");
        if (!owner.admits(c.ref.namespace())) {
          if (warned.add(c.ref + " " + c.host)) {
            conflict(c, owner);
          }
          continue;
        }
        RouteSpec r = c.build(this);
        if (r == null) {
          continue;
        }
        if (c.passthrough) {
          // not an HTTP path: it shares no path and takes no canary
          routes.add(r);
          origins.put(r.key(), c.ref);
          continue;
        }
        Candidate first =
            servedBy.putIfAbsent(new PathKey(c.host, r.paths().get(0), r.priority()), c);
        if (first != null) {
          pathConflict(c, r.paths().get(0), first);
          continue;
        }
        Candidate canary = canaries.get(c.canaryKey());
        if (canary != null && tried.add(canary)) {
          RouteSpec split = c.build(this, r, canary);
          if (split != null) {
            r = split;
            canariesServed.add(canary.ref);
          }
        }
        routes.add(r);
        origins.put(r.key(), c.ref);
      }
      for (Candidate c : canaries.values()) {
        if (!tried.contains(c)) {
          canaryWithoutPrimary(c);
        }
      }
      routes.sort(Comparator.comparing(RouteSpec::key));
      // a certificate ships only for a host its namespace actually serves: another tenant's
      // Secret must not answer SNI for a host it lost
      Map<CertificateKey, CertificateSpec> certificates = new TreeMap<>();
      for (RouteSpec r : routes) {
        if (r.tls() == null || r.tls().passthrough()) {
          continue;
        }
        CertificateKey key = r.tls().certificateKey(r.key().tenant());
        Optional<ValidCertificate> cert = checked.getOrDefault(key, Optional.empty());
        if (cert.isPresent()
            && r.tls().hosts().stream()
                .anyMatch(h -> CertificateValidator.coverage(cert.get(), h).isPresent())) {
          certificates.put(key, secrets.get(key));
        }
      }
      List<IngressProblem> all = new ArrayList<>();
      problems.values().forEach(all::addAll);
      // a refused Ingress is not served, so it gets no status address either
      Set<IngressRef> owned =
          mine.stream()
              .filter(i -> !canary.contains(ref(i)) || canariesServed.contains(ref(i)))
              .map(IngressTranslator::ref)
              .filter(r -> !refused.contains(r))
              .collect(Collectors.toSet());
      return new Translation(
          routes,
          List.copyOf(certificates.values()),
          all,
          owned,
          origins,
          sliceRefusals,
          controller == null ? List.of() : controller.findings());
    }

    private boolean isOurs(V1Ingress i, Set<String> ours, boolean defaultIsOurs) {
      String cn = i.getSpec() == null ? null : i.getSpec().getIngressClassName();
      if (cn != null) {
        return ours.contains(cn);
      }
      Map<String, String> a = i.getMetadata().getAnnotations();
      String legacy = a == null ? null : a.get(LEGACY_CLASS_ANNOTATION);
      if (legacy != null) {
        return ours.contains(legacy) || classNames.contains(legacy);
      }
      return defaultIsOurs;
    }

    /** Host (or {@link #ANY_HOST}) to who may serve it. */
    private Map<String, Owner> owners(List<Candidate> candidates) {
      Map<String, Owner> owners = new HashMap<>();
      for (Candidate c : candidates) {
        if (owners.containsKey(c.host)) {
          continue;
        }
        HostClaim claim = claim(c.host);
        HostClaimant route = oldestClaimant.get(c.host);
        // candidates come oldest first, so the first namespace seen is the oldest Ingress
        if (claim != null) {
          owners.put(c.host, new Owner(claim.tenant().value(), null));
        } else if (route != null
            && route.olderThan(created.get(c.ref), c.ref.namespace(), c.ref.name())) {
          owners.put(c.host, new Owner(route.namespace(), route));
        } else {
          owners.put(c.host, new Owner(c.ref.namespace(), null));
        }
      }
      return owners;
    }

    private @Nullable HostClaim claim(String host) {
      if (host.equals(ANY_HOST)) {
        return null;
      }
      HostClaim exact = claims.get(host);
      if (exact != null) {
        return exact;
      }
      int dot = host.indexOf('.');
      return dot > 0 && !host.startsWith("*.") ? claims.get("*" + host.substring(dot)) : null;
    }

    private void conflict(Candidate c, Owner owner) {
      String host =
          c.host.equals(ANY_HOST) ? "every host (host-less rules and defaultBackend)" : c.host;
      HostClaim claim = claim(c.host);
      HostClaimant route = owner.route();
      String why =
          claim != null
              ? "claimed by tenant \"" + owner.namespace() + "\""
              : route != null
                  ? "held by "
                      + route.what()
                      + ", which is older, for the namespaces its Gateway listener admits"
                  : "served by namespace \"" + owner.namespace() + "\", whose Ingress is older";
      problem(
          c.ref,
          "HostConflict",
          "host \"" + host + "\" is " + why + "; this Ingress is not served for it");
    }

    private void pathConflict(Candidate c, PathMatch path, Candidate first) {
      String host = c.host.equals(ANY_HOST) ? "every host" : "host \"" + c.host + "\"";
      String by;
      if (first.ref.equals(c.ref)) {
        by = "an earlier path of this Ingress";
      } else {
        boolean asOld = Objects.equals(created.get(first.ref), created.get(c.ref));
        by =
            "Ingress \""
                + first.ref.name()
                + (asOld ? "\", as old and first by name" : "\", which is older");
      }
      problem(
          c.ref,
          "PathConflict",
          c.field
              + ": "
              + path.type()
              + " \""
              + path.value()
              + "\" on "
              + host
              + " is served by "
              + by
              + "; it is not served for this Ingress");
    }

    private void canaryConflict(Candidate c, Candidate first) {
      boolean asOld = Objects.equals(created.get(first.ref), created.get(c.ref));
      problem(
          c.ref,
          "CanaryConflict",
          c.field
              + ": "
              + c.where()
              + " already has canary Ingress \""
              + first.ref.name()
              + (asOld ? "\" (as old and first by name)" : "\" (older)")
              + "; one canary per path, as ingress-nginx: this one is not served for it");
    }

    private void canaryWithoutPrimary(Candidate c) {
      problem(
          c.ref,
          "CanaryWithoutPrimary",
          c.field
              + ": no Ingress of namespace \""
              + c.ref.namespace()
              + "\" serves "
              + c.where()
              + " (a canary joins the Ingress with the same host, path and pathType); this canary"
              + " path is not served");
    }

    /**
     * Why the host of a mirror of {@code route} is refused (the rule of an ExternalName: a
     * mirror-target is as much the Ingress author's choice of upstream), or null.
     */
    @Nullable String mirrorRefusal(RouteSpec route) {
      for (PolicySpec p : route.policies()) {
        if (p instanceof RequestMirror m && m.backendRef() instanceof BackendSpec b) {
          for (Endpoint e : b.endpoints()) {
            String refusal = upstreams.refusal(e.host());
            if (refusal != null) {
              return "mirror-target host \"" + e.host() + "\" (expected: " + refusal + ")";
            }
          }
        }
      }
      return null;
    }

    void problem(IngressRef ref, String reason, String message) {
      problems
          .computeIfAbsent(ref, k -> new ArrayList<>())
          .add(new IngressProblem(ref, reason, message));
    }

    /**
     * ingress-nginx's rules for a host across its Ingresses: a server-alias or from-to-www name
     * that is the host of a rule is not served (the rule's server wins); once a path of a host uses
     * regex ({@code use-regex}, {@code rewrite-target}), every path of the host is a
     * case-insensitive regex matched from the path's start (nginx's {@code location ~* "^PATH"}).
     */
    private void hostRules(List<Candidate> candidates) {
      Set<String> ruleHosts = new HashSet<>();
      for (Candidate c : candidates) {
        if (c.wwwTo == null && !aliases.contains(c)) {
          ruleHosts.add(c.host);
        }
      }
      Set<String> reported = new HashSet<>();
      candidates.removeIf(
          c -> {
            if (!ruleHosts.contains(c.host)) {
              return false;
            }
            if (aliases.contains(c) && reported.add(c.ref + " " + c.host)) {
              problem(
                  c.ref,
                  "AliasIgnored",
                  IngressAnnotations.NGINX
                      + "server-alias: \""
                      + c.host
                      + "\" is the host of a rule; the alias is not served (as ingress-nginx)");
            }
            return aliases.contains(c) || c.wwwTo != null;
          });
      Set<String> regexHosts = new HashSet<>();
      for (Candidate c : candidates) {
        if (c.ann.useRegex()) {
          regexHosts.add(c.host);
        }
      }
      candidates.replaceAll(
          c ->
              regexHosts.contains(c.host) && !c.passthrough // SNI names no path
                  ? new Candidate(
                      c.ref,
                      c.name,
                      c.field,
                      c.host,
                      PathMatch.regex(nginxRegex(c.path.value())),
                      c.writtenPath,
                      c.backend,
                      c.priority,
                      c.ann,
                      c.tls,
                      c.wwwTo,
                      false)
                  : c);
    }

    /**
     * {@code force-ssl-redirect}: the Ingress's rule hosts without a tls section get HTTPS with the
     * default certificate, so plain HTTP is redirected (ingress-nginx serves every host on its
     * HTTPS port with its default certificate).
     */
    private void forceSslRedirect(
        IngressRef ref,
        IngressAnnotations ann,
        List<V1IngressRule> rules,
        Map<String, TlsHost> tls) {
      if (!ann.hosts().forceSslRedirect()) {
        return;
      }
      for (V1IngressRule rule : rules) {
        String raw = rule.getHost();
        String host = ANY_HOST;
        if (raw != null && !raw.isEmpty()) {
          host = Hostnames.normalizeConfigured("host", raw).value();
        }
        if (host != null && !paths(rule).isEmpty()) {
          tls.putIfAbsent(host, DEFAULT_TLS);
        }
      }
    }

    /**
     * {@code server-alias}: the candidates of rule {@code r} (from {@code ruleStart} in {@code
     * out}) once more for each alias, with the alias's tls section or else the rule host's.
     */
    private void serverAliases(
        IngressRef ref,
        IngressAnnotations ann,
        int r,
        String host,
        Map<String, TlsHost> tls,
        List<Candidate> out,
        int ruleStart) {
      List<String> names = ann.hosts().aliases();
      if (names.isEmpty() || host.equals(ANY_HOST)) {
        return;
      }
      String prefix = ref.name() + ".r" + r;
      int end = out.size();
      for (int i = 0; i < names.size(); i++) {
        Validated<String> v =
            Hostnames.normalizeConfigured(IngressAnnotations.NGINX + "server-alias", names.get(i));
        if (!v.isValid()) {
          if (aliasesReported.add(ref + " " + names.get(i))) {
            problem(ref, "InvalidHost", messages(v.violations()) + "; the alias is not served");
          }
          continue;
        }
        String alias = Objects.requireNonNull(v.value(), "a valid alias");
        if (alias.equals(host)) {
          continue;
        }
        for (int k = ruleStart; k < end; k++) {
          Candidate c = out.get(k);
          if (c.wwwTo != null || !c.name.startsWith(prefix + ".")) {
            continue;
          }
          Candidate copy =
              new Candidate(
                  c.ref,
                  prefix + ".a" + i + c.name.substring(prefix.length()),
                  c.field,
                  alias,
                  c.path,
                  c.writtenPath,
                  c.backend,
                  c.priority,
                  c.ann,
                  tls.containsKey(alias) ? tls.get(alias) : aliasTls(ref, ann, c.tls, alias),
                  null,
                  false);
          aliases.add(copy);
          out.add(copy);
        }
      }
    }

    /**
     * An alias without its own tls entry: its rule host's certificate when it covers the alias (as
     * ingress-nginx serves and redirects an alias only then), the default certificate under {@code
     * force-ssl-redirect} (which redirects every host), else none.
     */
    private @Nullable TlsHost aliasTls(
        IngressRef ref, IngressAnnotations ann, @Nullable TlsHost ruleTls, String alias) {
      TlsHost forced = ann.hosts().forceSslRedirect() ? DEFAULT_TLS : null;
      if (ruleTls == null || ruleTls.equals(DEFAULT_TLS)) {
        return forced;
      }
      Optional<ValidCertificate> cert =
          checked.getOrDefault(
              CertificateKey.of(ref.namespace(), ruleTls.certificateName()), Optional.empty());
      return cert.isPresent() && CertificateValidator.coverage(cert.get(), alias).isPresent()
          ? ruleTls
          : forced;
    }

    /** The routes one Ingress asks for, before host ownership is decided. */
    private List<Candidate> candidates(V1Ingress ingress) {
      IngressRef ref = ref(ingress);
      V1IngressSpec spec = ingress.getSpec();
      IngressAnnotations ann =
          IngressAnnotations.parse(ref, ingress.getMetadata().getAnnotations());
      ann.problems().forEach(p -> problem(ref, p.reason(), p.message()));
      if (ann.refused()) {
        refused.add(ref);
      }
      if (ann.refused() || spec == null) {
        return List.of();
      }
      if (ann.canary() != null) {
        canary.add(ref);
        return canaryCandidates(ingress, ann);
      }
      ann = access(ref, ann);
      if (ann == null || !upstreamTls(ref, ann)) {
        refused.add(ref);
        return List.of();
      }
      ann = customHeaders(ref, ann);
      if (ann == null) {
        refused.add(ref);
        return List.of();
      }
      ann = controllerDefaults(ingress, ann);
      if (ann == null) {
        refused.add(ref);
        return List.of();
      }
      Map<String, TlsHost> tls = tls(ref, spec.getTls());
      List<Candidate> out = new ArrayList<>();
      List<V1IngressRule> rules = spec.getRules() == null ? List.of() : spec.getRules();
      forceSslRedirect(ref, ann, rules, tls);
      Set<String> defaultedHosts = new LinkedHashSet<>();
      Set<String> ruleHosts = new HashSet<>();
      for (V1IngressRule rule : rules) {
        if (rule.getHost() != null) {
          ruleHosts.add(rule.getHost().toLowerCase(Locale.ROOT));
        }
      }
      Set<String> wwwHosts = new HashSet<>();
      for (int r = 0; r < rules.size(); r++) {
        V1IngressRule rule = rules.get(r);
        String field = "rules[" + r + "]";
        String host = host(ref, field + ".host", rule.getHost());
        if (host == null) {
          continue;
        }
        List<V1HTTPIngressPath> paths = paths(rule);
        int ruleStart = out.size();
        for (int p = 0; p < paths.size(); p++) {
          V1HTTPIngressPath path = paths.get(p);
          PathMatch match = path(ref, field + ".http.paths[" + p + "]", path, ann.useRegex());
          if (match == null) {
            continue;
          }
          out.add(
              new Candidate(
                  ref,
                  ingress.getMetadata().getName() + ".r" + r + ".p" + p,
                  field + ".http.paths[" + p + "]",
                  host,
                  match,
                  writtenPath(path),
                  path.getBackend(),
                  0,
                  ann,
                  tls.get(host)));
        }
        if (ann.fromToWww()
            && !host.equals(ANY_HOST)
            && !host.startsWith("*.")
            && !paths.isEmpty()) {
          String other = host.startsWith("www.") ? host.substring(4) : "www." + host;
          if (!ruleHosts.contains(other) && wwwHosts.add(other)) {
            out.add(
                new Candidate(
                    ref,
                    ingress.getMetadata().getName() + ".r" + r + ".www",
                    field + ".host",
                    other,
                    PathMatch.prefix("/"),
                    "/",
                    paths.get(0).getBackend(),
                    0,
                    ann,
                    tls.get(other),
                    host,
                    false));
          }
        }
        if (spec.getDefaultBackend() != null
            && !host.equals(ANY_HOST)
            && defaultedHosts.add(host)) {
          out.add(
              new Candidate(
                  ref,
                  ingress.getMetadata().getName() + ".r" + r + ".default",
                  "defaultBackend",
                  host,
                  PathMatch.prefix("/"),
                  DEFAULT_BACKEND,
                  spec.getDefaultBackend(),
                  -1,
                  ann,
                  tls.get(host)));
        }
        serverAliases(ref, ann, r, host, tls, out, ruleStart);
        if (ann.upstreamTls().passthrough()) {
          passthrough(
              ref, ingress.getMetadata().getName() + ".r" + r, field, host, paths, ann, out);
        }
      }
      if (spec.getDefaultBackend() != null) {
        out.add(
            new Candidate(
                ref,
                ingress.getMetadata().getName() + ".default",
                "defaultBackend",
                ANY_HOST,
                PathMatch.prefix("/"),
                DEFAULT_BACKEND,
                spec.getDefaultBackend(),
                -1,
                ann,
                null));
      }
      for (String h : tls.keySet()) {
        if (out.stream().noneMatch(c -> c.host.equals(h))) {
          problem(
              ref,
              "TlsHostWithoutRule",
              "tls host \"" + h + "\" is not the host of any rule; nothing is served for it");
        }
      }
      return out;
    }

    /**
     * {@code ssl-passthrough}: the rule's host passes TLS through to the backend of its {@code /}
     * path, as ingress-nginx takes its root location's; a rule without a host or without that path
     * passes nothing through and is reported.
     */
    private void passthrough(
        IngressRef ref,
        String name,
        String field,
        String host,
        List<V1HTTPIngressPath> paths,
        IngressAnnotations ann,
        List<Candidate> out) {
      String key = IngressAnnotations.NGINX + "ssl-passthrough";
      if (host.equals(ANY_HOST)) {
        problem(
            ref,
            "InvalidRoute",
            key
                + ": "
                + field
                + " has no host, and TLS passes through by SNI name; nothing is passed through"
                + " for it");
        return;
      }
      for (int p = 0; p < paths.size(); p++) {
        String value = paths.get(p).getPath();
        if (value == null || value.isEmpty() || value.equals("/")) { // any type, as ingress-nginx
          out.add(
              new Candidate(
                  ref,
                  name + ".passthrough",
                  field + ".http.paths[" + p + "]",
                  host,
                  PathMatch.prefix("/"),
                  "/",
                  paths.get(p).getBackend(),
                  0,
                  ann,
                  null,
                  null,
                  true));
          return;
        }
      }
      problem(
          ref,
          "InvalidRoute",
          key
              + ": host \""
              + host
              + "\" has no \"/\" path, whose backend its TLS would pass to; nothing is passed"
              + " through for it");
    }

    /**
     * {@code ann} with the access policies it asks for, the Secrets they name read (users of basic
     * auth, CAs of client certificates); null, with the problem reported, when a Secret cannot be
     * used: the Ingress is then not served rather than served open.
     */
    private @Nullable IngressAnnotations access(IngressRef ref, IngressAnnotations ann) {
      AccessAnnotations.Result access = ann.access();
      List<PolicySpec> policies = new ArrayList<>(access.policies());
      if (access.basic() != null) {
        BasicAuth basic = basicAuth(ref, access.basic());
        if (basic == null) {
          return null;
        }
        // authentication runs in list order: basic first, then JWT and forward auth
        int at = 0;
        while (at < policies.size() && policies.get(at) instanceof IpAccess) {
          at++;
        }
        policies.add(at, basic);
      }
      ClientAuth clientAuth = ClientAuth.NONE;
      AccessAnnotations.ClientCertSecret cert = access.clientCert();
      if (cert != null && cert.mode() != ClientAuth.Mode.NONE) {
        String bundle = caBundle(ref, cert);
        if (bundle == null) {
          return null;
        }
        clientAuth =
            new ClientAuth(cert.mode(), bundle, cert.verifyDepth(), cert.passCertificate());
      }
      return ann.resolved(policies, clientAuth);
    }

    /**
     * {@code ann} with the response headers of the ConfigMap {@code custom-headers} names, each
     * value literal; null, reported, when the ConfigMap is missing or holds a header that cannot be
     * set: ingress-nginx denies the location then, Gatehouse does not serve the Ingress.
     */
    private @Nullable IngressAnnotations customHeaders(IngressRef ref, IngressAnnotations ann) {
      ProxyAnnotations.ConfigMapRef cm = ann.proxy().customHeaders();
      if (cm == null) {
        return ann;
      }
      String where = cm.key() + ": ConfigMap " + cm.namespace() + "/" + cm.name();
      Optional<V1ConfigMap> found = state.configMap(cm.namespace(), cm.name());
      if (found.isEmpty()) {
        problem(
            ref,
            "ConfigMapNotFound",
            where + " not found; the Ingress is not served rather than without its headers");
        return null;
      }
      Map<String, String> data =
          found.get().getData() == null ? Map.of() : new TreeMap<>(found.get().getData());
      Map<String, String> set = new LinkedHashMap<>();
      for (Map.Entry<String, String> h : data.entrySet()) {
        String name = h.getKey();
        String value = h.getValue() == null ? "" : h.getValue();
        String wrong =
            !ProxyAnnotations.HEADER_NAME.matcher(name).matches()
                ? "header name \"" + name + "\" (expected: letters, digits, '-' and '_')"
                : !ProxyAnnotations.HEADER_VALUE.matcher(value).matches()
                    ? "header "
                        + name
                        + ": value (expected: printable ASCII, as ingress-nginx reads it)"
                    : PolicyValidator.reserved(name.toLowerCase(Locale.ROOT))
                        ? "header " + name + " (expected: " + PolicyValidator.RESERVED_RULE + ")"
                        : null;
        if (wrong != null) {
          problem(ref, "InvalidConfigMap", where + ": " + wrong + "; the Ingress is not served");
          return null;
        }
        // literal, as ingress-nginx escapes '$': Gatehouse's header values know ${...} variables
        set.put(name, HeaderTemplate.escape(value));
      }
      if (set.isEmpty()) {
        return ann;
      }
      ResponseHeaders headers = new ResponseHeaders(set, Map.of(), List.of());
      List<Violation> violations = new ArrayList<>();
      PolicyValidator.validate(List.of(headers), violations);
      if (!violations.isEmpty()) {
        problem(
            ref,
            "InvalidConfigMap",
            where + ": " + messages(violations) + "; the Ingress is not served");
        return null;
      }
      return ann.withPolicy(headers);
    }

    /** The users of an {@code auth-secret}, or null (reported) when they cannot be used. */
    private @Nullable BasicAuth basicAuth(IngressRef ref, AccessAnnotations.BasicSecret b) {
      String where = "Secret " + ref.namespace() + "/" + b.secret();
      Map<String, byte[]> data = secretData(ref, b.key(), b.secret());
      if (data == null) {
        return null;
      }
      List<BasicAuth.User> users = new ArrayList<>();
      if (!b.authMap()) {
        byte[] file = data.get(AccessAnnotations.AUTH_FILE_KEY);
        if (file == null) {
          refuseSecret(
              ref,
              b.key(),
              where + " has no key \"auth\" (auth-secret-type auth-file: htpasswd lines)");
          return null;
        }
        try {
          users.addAll(Htpasswd.parse(new String(file, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
          refuseSecret(ref, b.key(), where + " key \"auth\": " + e.getMessage());
          return null;
        }
      } else {
        // auth-map: one key per user, its value the hash; sorted, so the route is stable
        for (Map.Entry<String, byte[]> e : new TreeMap<>(data).entrySet()) {
          String name = e.getKey();
          String hash = new String(e.getValue(), StandardCharsets.UTF_8).strip();
          String problem = Htpasswd.nameProblem(name);
          if (problem == null) {
            problem = Htpasswd.problem(hash);
          }
          if (problem != null) {
            refuseSecret(ref, b.key(), where + " (auth-map) user \"" + name + "\": " + problem);
            return null;
          }
          users.add(new BasicAuth.User(name, hash));
        }
      }
      if (users.isEmpty()) {
        refuseSecret(ref, b.key(), where + " holds no user");
        return null;
      }
      return new BasicAuth(b.realm(), users, b.forwardAuthorization());
    }

    /**
     * The {@code ca.crt} of an {@code auth-tls-secret}, or null (reported) when it is not usable.
     */
    private @Nullable String caBundle(IngressRef ref, AccessAnnotations.ClientCertSecret c) {
      String where = "Secret " + ref.namespace() + "/" + c.secret();
      Map<String, byte[]> data = secretData(ref, c.key(), c.secret());
      if (data == null) {
        return null;
      }
      byte[] ca = data.get(AccessAnnotations.CA_KEY);
      if (ca == null) {
        refuseSecret(ref, c.key(), where + " has no key \"ca.crt\" (the client CAs, PEM)");
        return null;
      }
      String pem = new String(ca, StandardCharsets.US_ASCII);
      Validated<?> v = CertificateValidator.validateCaBundle("ca.crt", pem);
      if (!v.isValid()) {
        refuseSecret(ref, c.key(), where + ": " + messages(v.violations()));
        return null;
      }
      return pem;
    }

    /** The data of a Secret of the Ingress's namespace; null (reported) when there is none. */
    private @Nullable Map<String, byte[]> secretData(IngressRef ref, String key, String name) {
      Optional<V1Secret> secret = state.secret(ref.namespace(), name);
      if (secret.isEmpty()) {
        problem(
            ref,
            "SecretNotFound",
            key
                + ": Secret "
                + ref.namespace()
                + "/"
                + name
                + " not found (Secrets of type Opaque or kubernetes.io/tls are read); the Ingress"
                + " is not served rather than served open");
        return null;
      }
      return secret.get().getData() == null ? Map.of() : secret.get().getData();
    }

    private void refuseSecret(IngressRef ref, String key, String why) {
      problem(
          ref,
          "InvalidSecret",
          key + ": " + why + "; the Ingress is not served rather than served open");
    }

    /**
     * Reads the {@code proxy-ssl-secret} of {@code ann} (issue #16) into the backend TLS of the
     * Ingress; false, with the problem reported, when the Secret cannot be used: the Ingress is
     * then not served rather than served without the certificate or the checks it asks for.
     */
    private boolean upstreamTls(IngressRef ref, IngressAnnotations ann) {
      UpstreamTlsAnnotations.Result r = ann.upstreamTls();
      if (r.scheme() == UpstreamTlsAnnotations.Scheme.PLAIN) {
        upstreamTlsOf.put(ref, Optional.empty());
        return true;
      }
      KeyCertPem client = null;
      String ca = null;
      if (r.secret() != null) {
        String key = UpstreamTlsAnnotations.SECRET_KEY;
        String where = "Secret " + ref.namespace() + "/" + r.secret();
        Map<String, byte[]> data = secretData(ref, key, r.secret());
        if (data == null) {
          return false;
        }
        byte[] crt = data.get("tls.crt");
        byte[] pk = data.get("tls.key");
        byte[] cas = data.get(AccessAnnotations.CA_KEY);
        if ((crt == null) != (pk == null) || (crt == null && cas == null)) {
          refuseSecret(
              ref,
              key,
              where + " needs tls.crt with tls.key (the client certificate), ca.crt, or both");
          return false;
        }
        if (crt != null) {
          client =
              new KeyCertPem(
                  new String(crt, StandardCharsets.US_ASCII),
                  new PrivateKeyPem(new String(pk, StandardCharsets.US_ASCII)));
          Validated<?> v = CertificateValidator.validateClientCertificate("tls.", client);
          if (!v.isValid()) {
            refuseSecret(ref, key, where + ": " + messages(v.violations()));
            return false;
          }
        }
        if (cas != null) {
          ca = new String(cas, StandardCharsets.US_ASCII);
          Validated<?> v = CertificateValidator.validateCaBundle("ca.crt", ca);
          if (!v.isValid()) {
            refuseSecret(ref, key, where + ": " + messages(v.violations()));
            return false;
          }
        }
        if (r.verify() && ca == null) {
          refuseSecret(ref, key, where + " has no ca.crt for proxy-ssl-verify: \"on\" to check");
          return false;
        }
      }
      UpstreamTls tls;
      if (r.verify()) {
        tls = new UpstreamTls(ca, true, r.sslName(), false, client);
      } else {
        // ingress-nginx's default: encrypted, any certificate accepted (warned when a route uses
        // it)
        tls = new UpstreamTls(null, false, null, true, client);
      }
      upstreamTlsOf.put(ref, Optional.of(tls));
      return true;
    }

    /**
     * {@code backend} as {@code ann} reaches it (issue #16): over TLS or not (AUTO_HTTP by the
     * route's own scheme), and {@code service-upstream}'s ClusterIP; null, reported, when the route
     * cannot be served so.
     */
    @Nullable BackendRef upstream(
        IngressRef ref,
        String field,
        @Nullable V1IngressBackend b,
        BackendRef backend,
        IngressAnnotations ann,
        boolean https,
        boolean serviceUpstream) {
      UpstreamTlsAnnotations.Result r = ann.upstreamTls();
      boolean overTls =
          switch (r.scheme()) {
            case PLAIN -> false;
            case TLS -> true;
            case AUTO -> https;
          };
      if (r.scheme() == UpstreamTlsAnnotations.Scheme.AUTO && https && !ann.sslRedirect()) {
        problem(
            ref,
            "InvalidRoute",
            field
                + ": backend-protocol AUTO_HTTP on a host with TLS and ssl-redirect \"false\":"
                + " its plain and HTTPS requests would need two backends; it is not served");
        return null;
      }
      UpstreamTls tls =
          overTls ? upstreamTlsOf.getOrDefault(ref, Optional.empty()).orElse(null) : null;
      if (tls != null && tls.insecureSkipVerify() && unverified.add(ref)) {
        problem(
            ref,
            "UpstreamNotVerified",
            IngressAnnotations.NGINX
                + "backend-protocol: the backend is reached over TLS without verifying its"
                + " certificate, as ingress-nginx does by default; set proxy-ssl-secret (with"
                + " ca.crt) and proxy-ssl-verify: \"on\" to verify it");
      }
      if (serviceUpstream && r.serviceUpstream() && b != null && b.getService() != null) {
        BackendRef cluster = clusterIp(ref, field, b.getService(), backend);
        if (cluster != null) {
          return ((BackendSpec) cluster).withTls(tls);
        }
      }
      if (tls == null) {
        return backend;
      }
      if (backend instanceof BackendRef.ServicePort sp) {
        return new BackendRef.ServicePort(
            sp.service(), sp.port(), sp.portName(), sp.protocol(), tls, sp.policy());
      }
      return backend instanceof BackendSpec spec ? spec.withTls(tls) : backend;
    }

    /**
     * {@code service-upstream}: the Service's ClusterIP at the Service port as the one endpoint, as
     * ingress-nginx; null (the endpoints serve) for an ExternalName or headless Service, or one
     * that is missing (already reported).
     */
    private @Nullable BackendRef clusterIp(
        IngressRef ref, String field, V1IngressServiceBackend sb, BackendRef backend) {
      Optional<V1Service> found = state.service(ref.namespace(), sb.getName());
      if (found.isEmpty()
          || found.get().getSpec() == null
          || ServiceEndpoints.isExternalName(found.get())) {
        return null;
      }
      String ip = found.get().getSpec().getClusterIP();
      if (ip == null || ip.isEmpty() || ip.equals("None")) {
        problem(
            ref,
            "ServiceUpstreamHeadless",
            IngressAnnotations.NGINX
                + "service-upstream: Service "
                + ref.namespace()
                + "/"
                + sb.getName()
                + " has no ClusterIP; its endpoints are used, as ingress-nginx does");
        return null;
      }
      Integer number = sb.getPort() == null ? null : sb.getPort().getNumber();
      String portName = sb.getPort() == null ? null : sb.getPort().getName();
      Integer port = null;
      for (var sp :
          found.get().getSpec().getPorts() == null
              ? List.<io.kubernetes.client.openapi.models.V1ServicePort>of()
              : found.get().getSpec().getPorts()) {
        if ((number != null && number.equals(sp.getPort()))
            || (portName != null && portName.equals(sp.getName()))) {
          port = sp.getPort();
          break;
        }
      }
      if (port == null) {
        return null; // reported as ServicePortNotFound
      }
      String refusal = serviceEndpoints.addressRefusal(ip);
      if (refusal != null) {
        problem(
            ref,
            "UpstreamRefused",
            IngressAnnotations.NGINX
                + "service-upstream: Service "
                + ref.namespace()
                + "/"
                + sb.getName()
                + ": ClusterIP \""
                + ip
                + "\" (expected: "
                + refusal
                + "); requests get 503");
        return new BackendSpec(backendProtocol(backend), List.of());
      }
      return new BackendSpec(backendProtocol(backend), List.of(Endpoint.of(ip, port)));
    }

    private static UpstreamProtocol backendProtocol(BackendRef backend) {
      if (backend instanceof BackendRef.ServicePort sp) {
        return sp.protocol();
      }
      return backend instanceof BackendSpec spec ? spec.protocol() : UpstreamProtocol.HTTP1;
    }

    /** A rule's HTTP paths; none when it has no {@code http} section. */
    private static List<V1HTTPIngressPath> paths(V1IngressRule rule) {
      return rule.getHttp() == null || rule.getHttp().getPaths() == null
          ? List.of()
          : rule.getHttp().getPaths();
    }

    /**
     * A canary's paths, to be matched against the primaries' as ingress-nginx does: by host, path
     * and pathType as written, and its {@code defaultBackend} against the catch-all one. Its TLS
     * and its rules' default backends are the primary's business.
     */
    private List<Candidate> canaryCandidates(V1Ingress ingress, IngressAnnotations ann) {
      IngressRef ref = ref(ingress);
      V1IngressSpec spec = ingress.getSpec();
      if (spec.getTls() != null && !spec.getTls().isEmpty()) {
        problem(
            ref,
            "UnsupportedAnnotation",
            "tls: ignored on a canary Ingress (the Ingress it is a canary of sets the hosts'"
                + " certificates)");
      }
      List<Candidate> out = new ArrayList<>();
      List<V1IngressRule> rules = spec.getRules() == null ? List.of() : spec.getRules();
      for (int r = 0; r < rules.size(); r++) {
        V1IngressRule rule = rules.get(r);
        String field = "rules[" + r + "]";
        String host = host(ref, field + ".host", rule.getHost());
        if (host == null) {
          continue;
        }
        List<V1HTTPIngressPath> paths = paths(rule);
        for (int p = 0; p < paths.size(); p++) {
          V1HTTPIngressPath path = paths.get(p);
          String pathField = field + ".http.paths[" + p + "]";
          if (path(ref, pathField, path, false) == null) {
            continue;
          }
          out.add(
              new Candidate(
                  ref,
                  ingress.getMetadata().getName() + ".r" + r + ".p" + p,
                  pathField,
                  host,
                  PathMatch.prefix("/"),
                  writtenPath(path),
                  path.getBackend(),
                  0,
                  ann,
                  null));
        }
      }
      if (spec.getDefaultBackend() != null) {
        out.add(
            new Candidate(
                ref,
                ingress.getMetadata().getName() + ".default",
                "defaultBackend",
                ANY_HOST,
                PathMatch.prefix("/"),
                DEFAULT_BACKEND,
                spec.getDefaultBackend(),
                -1,
                ann,
                null));
      }
      return out;
    }

    private @Nullable String host(IngressRef ref, String field, @Nullable String raw) {
      if (raw == null || raw.isEmpty()) {
        return ANY_HOST;
      }
      Validated<String> v = Hostnames.normalizeConfigured(field, raw);
      if (!v.isValid()) {
        problem(ref, "InvalidHost", messages(v.violations()) + "; the rule is not served");
        return null;
      }
      return v.value();
    }

    private @Nullable PathMatch path(
        IngressRef ref, String field, V1HTTPIngressPath p, boolean regex) {
      String type = p.getPathType() == null ? "ImplementationSpecific" : p.getPathType();
      String value = p.getPath() == null || p.getPath().isEmpty() ? "/" : p.getPath();
      switch (type) {
        case "Exact":
          return PathMatch.exact(value);
        case "Prefix":
          return PathMatch.prefix(value);
        case "ImplementationSpecific":
          return regex ? PathMatch.regex(value) : PathMatch.prefix(value);
        default:
          problem(
              ref,
              "InvalidPath",
              field
                  + ".pathType: \""
                  + type
                  + "\" (expected: Exact, Prefix or ImplementationSpecific); the path is not served");
          return null;
      }
    }

    /** TLS host to its certificate, from the Ingress's tls sections (first section wins). */
    private Map<String, TlsHost> tls(IngressRef ref, @Nullable List<V1IngressTLS> sections) {
      Map<String, TlsHost> out = new LinkedHashMap<>();
      if (sections == null) {
        return out;
      }
      for (int t = 0; t < sections.size(); t++) {
        V1IngressTLS section = sections.get(t);
        String field = "tls[" + t + "]";
        if (section.getHosts() == null || section.getHosts().isEmpty()) {
          problem(
              ref,
              "TlsWithoutHosts",
              field
                  + ".hosts: [] (expected: the hosts to serve over HTTPS); the section is ignored");
          continue;
        }
        String secretName = section.getSecretName();
        Optional<ValidCertificate> cert =
            secretName == null || secretName.isEmpty()
                ? Optional.empty()
                : certificate(ref, field, secretName);
        if (secretName == null || secretName.isEmpty()) {
          problem(
              ref,
              "SecretNotFound",
              field + ".secretName is empty; its hosts get the default certificate");
        }
        for (int h = 0; h < section.getHosts().size(); h++) {
          String host = host(ref, field + ".hosts[" + h + "]", section.getHosts().get(h));
          if (host == null || host.equals(ANY_HOST) || out.containsKey(host)) {
            continue;
          }
          String name =
              CERTIFICATE_PREFIX
                  + (secretName == null || secretName.isEmpty() ? "default" : secretName);
          if (cert.isPresent() && CertificateValidator.coverage(cert.get(), host).isEmpty()) {
            problem(
                ref,
                "TlsHostNotCovered",
                "tls host \""
                    + host
                    + "\" is not covered by Secret "
                    + ref.namespace()
                    + "/"
                    + secretName
                    + " (its DNS names: "
                    + String.join(", ", cert.get().dnsNames())
                    + "); it gets the default certificate");
          }
          out.put(host, new TlsHost(name));
        }
      }
      return out;
    }

    /** The Secret's certificate when it is a valid TLS Secret; a problem otherwise. */
    private Optional<ValidCertificate> certificate(
        IngressRef ref, String field, String secretName) {
      CertificateKey key = CertificateKey.of(ref.namespace(), CERTIFICATE_PREFIX + secretName);
      Optional<ValidCertificate> known = checked.get(key);
      if (known != null) {
        return known;
      }
      Optional<ValidCertificate> result = readCertificate(ref, field, key);
      checked.put(key, result);
      return result;
    }

    private Optional<ValidCertificate> readCertificate(
        IngressRef ref, String field, CertificateKey key) {
      String secretName = key.name().substring(CERTIFICATE_PREFIX.length());
      String where = "Secret " + ref.namespace() + "/" + secretName;
      Optional<V1Secret> secret = state.secret(ref.namespace(), secretName);
      if (secret.isEmpty()) {
        problem(
            ref,
            "SecretNotFound",
            field + ".secretName: " + where + " not found; its hosts get the default certificate");
        return Optional.empty();
      }
      V1Secret s = secret.get();
      Map<String, byte[]> data = s.getData() == null ? Map.of() : s.getData();
      if (!TLS_SECRET_TYPE.equals(s.getType())
          || data.get("tls.crt") == null
          || data.get("tls.key") == null) {
        problem(
            ref,
            "InvalidSecret",
            where
                + ": type \""
                + s.getType()
                + "\" (expected: kubernetes.io/tls with tls.crt and tls.key); its hosts get the"
                + " default certificate");
        return Optional.empty();
      }
      CertificateSpec spec =
          new CertificateSpec(
              key,
              new String(data.get("tls.crt"), StandardCharsets.US_ASCII),
              new PrivateKeyPem(new String(data.get("tls.key"), StandardCharsets.US_ASCII)));
      Validated<ValidCertificate> v = CertificateValidator.validate(spec, clock);
      ValidCertificate valid = v.value();
      if (valid == null) { // not valid
        problem(
            ref,
            "InvalidCertificate",
            where + ": " + messages(v.violations()) + "; its hosts get the default certificate");
        return Optional.empty();
      }
      secrets.put(key, spec);
      return Optional.of(valid);
    }

    /**
     * The backend a route sends to, or null when the route cannot be served at all: a reference to
     * the Service port as the Ingress names it, whose endpoints each node's endpoint feed computes
     * (so an endpoint change never changes the route). What the cache already shows to be wrong (no
     * such Service or port, a refused ExternalName) is reported here; the feed then gives the
     * reference no endpoints, and the route answers 503.
     */
    @Nullable BackendRef backend(
        IngressRef ref, String field, @Nullable V1IngressBackend b, UpstreamProtocol protocol) {
      if (b == null || (b.getService() == null && b.getResource() == null)) {
        problem(ref, "InvalidBackend", field + ".backend: missing; the path is not served");
        return null;
      }
      if (b.getResource() != null) {
        problem(
            ref,
            "UnsupportedBackend",
            field
                + ".backend.resource: kind \""
                + b.getResource().getKind()
                + "\" (expected: a service backend); the path is not served");
        return null;
      }
      V1IngressServiceBackend sb = b.getService();
      String svcField = field + ".backend.service";
      Optional<V1Service> found = state.service(ref.namespace(), sb.getName());
      if (found.isEmpty() || found.get().getSpec() == null) {
        problem(
            ref,
            "ServiceNotFound",
            svcField
                + ".name: Service "
                + ref.namespace()
                + "/"
                + sb.getName()
                + " not found; requests get 503");
        return reference(sb, protocol);
      }
      V1Service svc = found.get();
      Integer number = sb.getPort() == null ? null : sb.getPort().getNumber();
      String portName = sb.getPort() == null ? null : sb.getPort().getName();
      // once per Service port and translation, whatever number of routes use it
      ServiceEndpoints.Result result =
          endpointsOf.computeIfAbsent(
              new EndpointsKey(ref.namespace(), sb.getName(), number, portName),
              k ->
                  serviceEndpoints.compute(
                      svc, number, portName, state.endpointSlices(ref.namespace(), sb.getName())));
      if (result instanceof ServiceEndpoints.PortNotFound) {
        problem(
            ref,
            "ServicePortNotFound",
            ServiceEndpoints.isExternalName(svc)
                ? svcField
                    + ".port: \""
                    + portName
                    + "\" is not a port of ExternalName Service "
                    + ref.namespace()
                    + "/"
                    + sb.getName()
                    + " (use a port number); requests get 503"
                : svcField
                    + ".port: "
                    + (number != null ? Integer.toString(number) : "\"" + portName + "\"")
                    + " is not a port of Service "
                    + ref.namespace()
                    + "/"
                    + sb.getName()
                    + " (its ports: "
                    + ports(svc)
                    + "); requests get 503");
        return reference(sb, protocol);
      }
      if (result instanceof ServiceEndpoints.RefusedExternalName r) {
        problem(
            ref,
            "UpstreamRefused",
            svcField
                + ".name: ExternalName Service "
                + ref.namespace()
                + "/"
                + sb.getName()
                + ": externalName \""
                + r.externalName()
                + "\" (expected: "
                + r.refusal()
                + "); requests get 503");
        return reference(sb, protocol);
      }
      // the refused slice addresses are still reported from here (the feed drops them too)
      ServiceEndpoints.Endpoints endpoints = (ServiceEndpoints.Endpoints) result;
      if (!ServiceEndpoints.isExternalName(svc)) {
        // what the slices decided here: the watcher re-translates on a slice event only if it moves
        sliceRefusals.put(
            new Translation.SlicePort(ref.namespace(), sb.getName(), number, portName),
            endpoints.refused());
      }
      endpoints
          .refused()
          .forEach(
              (address, refusal) -> refusedAddress(ref, svcField, sb.getName(), address, refusal));
      return reference(sb, protocol);
    }

    /**
     * The Service port as the Ingress names it: its number, else {@code 0} and its name. A backend
     * with neither (which the API server does not admit) can never have endpoints: a static empty
     * backend, as before references, so the route still answers 503 rather than being refused.
     */
    private BackendRef reference(V1IngressServiceBackend sb, UpstreamProtocol protocol) {
      Integer number = sb.getPort() == null ? null : sb.getPort().getNumber();
      String portName = sb.getPort() == null ? null : sb.getPort().getName();
      if (number != null && number >= 1 && number <= 65535) {
        return new BackendRef.ServicePort(sb.getName(), number, null, protocol, null);
      }
      if (number == null && portName != null && !portName.isEmpty()) {
        return new BackendRef.ServicePort(sb.getName(), 0, portName, protocol, null);
      }
      return new BackendSpec(protocol, List.of());
    }

    /** Validates {@code raw}, or takes the result of the last translation for an equal route. */
    Validated<RouteSpec> validate(RouteSpec raw) {
      Validated<RouteSpec> v = validatedNow.get(raw);
      if (v == null) {
        v = validated.get(raw);
        if (v == null) {
          v = RouteValidator.validate(raw);
        }
        validatedNow.put(raw, v);
      }
      return v;
    }

    /** An {@code UpstreamRefused} problem for a slice address of the Service the policy refused. */
    private void refusedAddress(
        IngressRef ref, String svcField, String service, String address, String refusal) {
      problem(
          ref,
          "UpstreamRefused",
          svcField
              + ".name: Service "
              + ref.namespace()
              + "/"
              + service
              + ": EndpointSlice address \""
              + address
              + "\" (expected: "
              + refusal
              + "); it is not used");
    }
  }

  private static String ports(V1Service svc) {
    if (svc.getSpec().getPorts() == null || svc.getSpec().getPorts().isEmpty()) {
      return "none";
    }
    return svc.getSpec().getPorts().stream()
        .map(
            p ->
                p.getName() == null || p.getName().isEmpty()
                    ? "" + p.getPort()
                    : p.getName() + "=" + p.getPort())
        .collect(Collectors.joining(", "));
  }

  static String messages(List<Violation> violations) {
    return violations.stream().map(Violation::message).collect(Collectors.joining("; "));
  }

  /** A backend's Service port, as the Ingress names it, whose endpoints a run computes once. */
  private record EndpointsKey(
      String namespace, String service, @Nullable Integer number, @Nullable String portName) {}

  /** The certificate name a TLS host is served with. */
  private record TlsHost(String certificateName) {}

  /** A host served over HTTPS with the default certificate ({@code force-ssl-redirect}). */
  private static final TlsHost DEFAULT_TLS = new TlsHost(CERTIFICATE_PREFIX + "default");

  /** What two Ingresses must not both serve: one host (or every host), one path, one priority. */
  private record PathKey(String host, PathMatch path, int priority) {}

  /**
   * Who may serve a host: a namespace (an admin claim's tenant, the oldest Ingress's namespace), or
   * the group of an older Gateway API route ({@code route} set).
   */
  private record Owner(String namespace, @Nullable HostClaimant route) {
    boolean admits(String ns) {
      return route != null ? route.admits(ns) : namespace.equals(ns);
    }
  }

  /** What a canary path must match: the primary's namespace, host and path as written. */
  private record CanaryKey(String namespace, String host, String writtenPath) {}

  /**
   * One route an Ingress asks for: a single host (or the catch-all), path and backend. {@code
   * writtenPath} is the path as the Ingress writes it ({@link #DEFAULT_BACKEND} for a default
   * backend), which a canary must match.
   */
  private record Candidate(
      IngressRef ref,
      String name,
      String field,
      String host,
      PathMatch path,
      String writtenPath,
      V1IngressBackend backend,
      int priority,
      IngressAnnotations ann,
      @Nullable TlsHost tls,
      @Nullable String wwwTo,
      boolean passthrough) {

    /** A route of the Ingress's own rules and annotations. */
    Candidate(
        IngressRef ref,
        String name,
        String field,
        String host,
        PathMatch path,
        String writtenPath,
        V1IngressBackend backend,
        int priority,
        IngressAnnotations ann,
        @Nullable TlsHost tls) {
      this(ref, name, field, host, path, writtenPath, backend, priority, ann, tls, null, false);
    }

    CanaryKey canaryKey() {
      return new CanaryKey(ref.namespace(), host, writtenPath);
    }

    /** The path and host, as a message names them. */
    String where() {
      String h = host.equals(ANY_HOST) ? "every host" : "host \"" + host + "\"";
      return (writtenPath.equals(DEFAULT_BACKEND) ? "the default backend" : writtenPath)
          + " on "
          + h;
    }

    @Nullable RouteSpec build(Run run) {
      BackendRef backend = run.backend(ref, field, this.backend, ann.protocol());
      if (passthrough) {
        return backend == null ? null : passthroughRoute(run, backend);
      }
      if (backend != null) {
        backend = run.upstream(ref, field, this.backend, backend, ann, tls != null, true);
      }
      if (backend == null) {
        return null;
      }
      return build(
          run, List.of(RouteBackend.of(withPolicy(backend, ann.backendPolicy()))), ref, field);
    }

    /**
     * This primary's route ({@code alone}, as built) split with {@code canary}, or null (reported
     * on the canary) when the canary's backend cannot be served; {@code alone} then serves.
     */
    @Nullable RouteSpec build(Run run, RouteSpec alone, Candidate canary) {
      BackendRef primary = alone.backends().get(0).ref();
      // the canary speaks the primary's protocol, as ingress-nginx proxies it from the same
      // location
      BackendRef alternative =
          run.backend(canary.ref, canary.field, canary.backend, ann.protocol());
      if (alternative != null) {
        // and its TLS to the backend (issue #16); service-upstream is the primary's own
        alternative =
            run.upstream(ref, canary.field, canary.backend, alternative, ann, tls != null, false);
      }
      if (alternative == null) {
        return null;
      }
      // and the primary's backend policy, as ingress-nginx balances both from one location
      alternative = withPolicy(alternative, ann.backendPolicy());
      // only an Ingress whose annotations make it a canary has canary candidates
      IngressAnnotations.Canary w = Objects.requireNonNull(canary.ann.canary(), "canary weights");
      return build(
          run,
          List.of(
              new RouteBackend(primary, w.total() - w.weight()),
              new RouteBackend(alternative, w.weight(), w.rule())),
          canary.ref,
          canary.field);
    }

    /**
     * The Ingress's policies for this route: a {@code rewrite-target} rewrite takes this route's
     * path as its expression (ingress-nginx's {@code rewrite "(?i)PATH" TARGET}).
     */
    private @Nullable List<PolicySpec> policies(Run run, IngressRef blame, String blameField) {
      if (wwwTo != null) {
        // from-to-www-redirect: this route only redirects to the rule's own host
        return List.of(RequestRedirect.of(null, wwwTo, null, null, 308));
      }
      List<PolicySpec> out = new ArrayList<>(ann.policies().size());
      for (PolicySpec p : ann.policies()) {
        if (p instanceof ForwardAuth f && AccessAnnotations.perRoute(f)) {
          // nginx evaluates $host and $scheme per request: a route has one host, so they are
          // set here; a host-less or wildcard rule has no one host to set
          if (AccessAnnotations.usesHost(f) && (host.equals(ANY_HOST) || host.startsWith("*."))) {
            run.problem(
                blame,
                "InvalidAnnotation",
                blameField
                    + ": auth-url or auth-signin names $host, and "
                    + (host.equals(ANY_HOST)
                        ? "this rule has no host"
                        : "host \"" + host + "\" is a wildcard")
                    + " (expected: a rule with one host name to set it to); it is not served");
            return null;
          }
          // $scheme: https for a host with a tls section (redirected from HTTP unless
          // ssl-redirect is false), else http
          StringBuilder why = new StringBuilder();
          ForwardAuth set =
              AccessAnnotations.forRoute(f, host, tls != null ? "https" : "http", why);
          if (set == null) {
            run.problem(
                blame,
                "InvalidAnnotation",
                blameField
                    + ": auth-url or auth-signin on host \""
                    + host
                    + "\" (expected: "
                    + why
                    + "); it is not served");
            return null;
          }
          p = set;
        }
        if (p instanceof URLRewrite w && IngressAnnotations.REWRITE_PATH.equals(w.regex())) {
          String expression = rawRegex(path.value());
          p =
              new URLRewrite(
                  w.hostname(),
                  w.path(),
                  IngressAnnotations.rewritePattern(expression),
                  w.substitution(),
                  w.dropQuery(),
                  w.forwardedPrefix());
        }
        if (p instanceof ErrorPages e
            && e.backend() instanceof BackendRef.ServicePort sp
            && IngressAnnotations.FIRST_PORT.equals(sp.portName())) {
          p = ErrorPages.backend(e.codes(), firstPort(run, sp));
        }
        out.add(p);
      }
      return out;
    }

    /**
     * An error pages backend named without a port: the Service's first port, as ingress-nginx's
     * {@code default-backend} takes it; port 80 (with a warning) while the Service is not found.
     */
    private BackendRef.ServicePort firstPort(Run run, BackendRef.ServicePort sp) {
      Optional<V1Service> found = run.state.service(ref.namespace(), sp.service());
      if (found.isPresent()
          && found.get().getSpec() != null
          && found.get().getSpec().getPorts() != null
          && !found.get().getSpec().getPorts().isEmpty()
          && found.get().getSpec().getPorts().get(0).getPort() != null) {
        int port = found.get().getSpec().getPorts().get(0).getPort();
        return new BackendRef.ServicePort(
            sp.service(), port, null, sp.protocol(), sp.tls(), sp.policy());
      }
      run.problem(
          ref,
          "ServiceNotFound",
          "error pages backend: Service "
              + ref.namespace()
              + "/"
              + sp.service()
              + " not found (port 80 assumed); Gatehouse's own error pages are sent until it is");
      return new BackendRef.ServicePort(
          sp.service(), 80, null, sp.protocol(), sp.tls(), sp.policy());
    }

    /**
     * The passthrough route of this host: by SNI name to {@code backend}, with none of the
     * Ingress's other annotations, which ingress-nginx ignores for passed-through TLS too.
     */
    private @Nullable RouteSpec passthroughRoute(Run run, BackendRef backend) {
      RouteSpec raw =
          new RouteSpec(
              new RouteKey(TenantId.of(ref.namespace()), SOURCE, name),
              List.of(host),
              List.of(path),
              Set.of(),
              List.of(),
              List.of(),
              List.of(RouteBackend.of(backend)),
              Timeouts.DEFAULTS,
              Limits.DEFAULTS,
              priority,
              TlsSpec.passthrough(List.of()));
      Validated<RouteSpec> v = run.validate(raw);
      if (!v.isValid()) {
        run.problem(
            ref, "InvalidRoute", field + ": " + messages(v.violations()) + "; it is not served");
        return null;
      }
      return v.value();
    }

    /** The route with {@code backends}; null when invalid, reported on {@code blame}. */
    private @Nullable RouteSpec build(
        Run run, List<RouteBackend> backends, IngressRef blame, String blameField) {
      boolean certificates = ann.clientAuth().enabled() && wwwTo == null;
      if (certificates && tls == null) {
        // client certificates live on a host's HTTPS: without it the route would serve anyone
        run.problem(
            blame,
            "InvalidRoute",
            blameField
                + ": "
                + (host.equals(ANY_HOST) ? "every host" : "host \"" + host + "\"")
                + " has no tls section, and auth-tls-secret asks for client certificates, which"
                + " only HTTPS can ask for; it is not served");
        return null;
      }
      TlsSpec tlsSpec =
          tls == null
              ? null
              : new TlsSpec(
                  host.equals(ANY_HOST) ? List.of() : List.of(host),
                  tls.certificateName(),
                  ann.sslRedirect() || ann.hosts().forceSslRedirect()
                      ? HttpsRedirect.PERMANENT_REDIRECT_308
                      : HttpsRedirect.OFF,
                  run.hsts(),
                  certificates ? ann.clientAuth() : ClientAuth.NONE);
      RouteSpec raw =
          new RouteSpec(
              new RouteKey(TenantId.of(ref.namespace()), SOURCE, name),
              host.equals(ANY_HOST) ? List.of() : List.of(host),
              List.of(path),
              Set.of(),
              List.of(),
              List.of(),
              backends,
              ann.timeouts(),
              ann.limits(),
              priority,
              tlsSpec);
      List<PolicySpec> policies = policies(run, blame, blameField);
      if (policies == null) {
        return null;
      }
      raw = raw.withPolicies(policies);
      String refused = run.mirrorRefusal(raw);
      if (refused != null) {
        run.problem(blame, "UpstreamRefused", blameField + ": " + refused + "; it is not served");
        return null;
      }
      Validated<RouteSpec> v = run.validate(raw);
      if (!v.isValid()) {
        run.problem(
            blame,
            "InvalidRoute",
            blameField + ": " + messages(v.violations()) + "; it is not served");
        return null;
      }
      return v.value();
    }
  }

  private static final String NGINX_REGEX_START = "(?i)(?:";
  private static final String NGINX_REGEX_ANY_START = "(?i).*?(?:^";
  private static final String NGINX_REGEX_END = ").*";

  /**
   * nginx's {@code location ~* "^PATH"} as a whole-path RE2 expression: case-insensitive, from the
   * path's start, anything after; a top-level alternative ({@code a|b}) keeps nginx's meaning (only
   * the first is anchored).
   */
  static String nginxRegex(String path) {
    return (topLevelAlternative(path) ? NGINX_REGEX_ANY_START : NGINX_REGEX_START)
        + path
        + NGINX_REGEX_END;
  }

  /** Whether {@code regex} has a '|' outside groups and classes (then only {@code ^a} anchors). */
  private static boolean topLevelAlternative(String regex) {
    int depth = 0;
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char ch = regex.charAt(i);
      if (ch == '\\') {
        i++;
      } else if (inClass) {
        inClass = ch != ']';
      } else if (ch == '[') {
        inClass = true;
      } else if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (ch == '|' && depth <= 0) {
        return true;
      }
    }
    return false;
  }

  /** The path as written, from a {@link #nginxRegex} (a rewrite-target uses the path itself). */
  static String rawRegex(String value) {
    for (String start : List.of(NGINX_REGEX_START, NGINX_REGEX_ANY_START)) {
      if (value.startsWith(start) && value.endsWith(NGINX_REGEX_END)) {
        return value.substring(start.length(), value.length() - NGINX_REGEX_END.length());
      }
    }
    return value;
  }

  /** {@code ref} with the Ingress's backend policy (issue #14); a named backend keeps its own. */
  static BackendRef withPolicy(BackendRef ref, @Nullable BackendPolicy policy) {
    if (policy == null) {
      return ref;
    }
    if (ref instanceof BackendRef.ServicePort sp) {
      return sp.withPolicy(policy);
    }
    if (ref instanceof BackendSpec spec) {
      return spec.withPolicy(policy);
    }
    return ref;
  }

  /**
   * Whether the Ingress sets {@code gatehouse.io/<own>} or {@code
   * nginx.ingress.kubernetes.io/<nginx>}.
   */
  private static boolean has(Map<String, String> annotations, String own, String nginx) {
    return annotations.containsKey(IngressAnnotations.PREFIX + own)
        || annotations.containsKey(IngressAnnotations.NGINX + nginx);
  }
}
