package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.gateway.ObjectStatus.ParentRef;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Gateway API objects as typed records, read from the plain maps of {@link GatewayState}. The
 * API server has checked them against the CRD schema; what is still missing or of another type
 * reads as absent (the translation then reports it), so reading never throws.
 */
final class GatewayObjects {
  private GatewayObjects() {}

  static final String CORE = "";

  /** What every object has: where it is, its generation and age. */
  record Meta(
      String namespace,
      String name,
      long generation,
      @Nullable OffsetDateTime created,
      Map<String, String> labels) {
    String path() {
      return namespace.isEmpty() ? name : namespace + "/" + name;
    }
  }

  record GatewayClass(Meta meta, String controllerName) {}

  /**
   * @param addresses {@code spec.addresses} as written
   * @param held the values of {@code status.addresses} of type {@code IPAddress}: what the Gateway
   *     was last given (a pool address is kept while the Gateway lives)
   * @param backendClientCertificate {@code spec.tls.backend.clientCertificateRef}: what the Gateway
   *     presents to TLS backends; null when not set
   */
  record Gateway(
      Meta meta,
      String className,
      List<Listener> listeners,
      List<Map<String, Object>> addresses,
      List<String> held,
      AllowedListeners allowedListeners,
      @Nullable Ref backendClientCertificate,
      Frontend frontend) {}

  /**
   * {@code spec.allowedListeners.namespaces}: which namespaces' ListenerSets may add listeners.
   *
   * @param from {@code None} (the default), {@code Same}, {@code Selector} or {@code All}
   */
  record AllowedListeners(String from, @Nullable Selector selector) {
    static final AllowedListeners NONE = new AllowedListeners("None", null);
  }

  /**
   * A ListenerSet (GEP-1713): listeners another object adds to a Gateway's.
   *
   * @param parent {@code spec.parentRef}, its namespace defaulted to the ListenerSet's
   */
  record GatewayListenerSet(Meta meta, Ref parent, List<Listener> listeners) {}

  /**
   * A BackendTLSPolicy.
   *
   * @param targets {@code spec.targetRefs}: Services, each with its port's name or null for all
   * @param caCertificateRefs {@code validation.caCertificateRefs} as written
   * @param wellKnownCaCertificates {@code validation.wellKnownCACertificates} ({@code System}), or
   *     null
   * @param subjectAltNames each {@code DNS:<hostname>} or {@code URI:<uri>}; another type as {@code
   *     <type>:<value>}
   */
  record BackendTlsPolicy(
      Meta meta,
      List<PolicyTarget> targets,
      List<Ref> caCertificateRefs,
      @Nullable String wellKnownCaCertificates,
      String hostname,
      List<String> subjectAltNames) {}

  /** A policy's targetRef: group, kind, name in the policy's namespace, optional sectionName. */
  record PolicyTarget(String group, String kind, String name, @Nullable String sectionName) {}

  /**
   * {@code spec.tls.frontend}: the client certificate validation of the default and of each port
   * that overrides it ({@link Validation#NONE} where a port's override sets none).
   */
  record Frontend(@Nullable Validation byDefault, Map<Integer, Validation> perPort) {
    static final Frontend NONE = new Frontend(null, Map.of());

    /** The validation HTTPS listeners on {@code port} get; null for none. */
    @Nullable Validation forPort(int port) {
      Validation v = perPort.getOrDefault(port, byDefault);
      return v == null || v == Validation.NONE ? null : v;
    }
  }

  /**
   * @param mode {@code AllowValidOnly} (the default) or {@code AllowInsecureFallback}
   */
  record Validation(List<Ref> caCertificateRefs, String mode) {
    static final Validation NONE = new Validation(List.of(), "");

    boolean insecureFallback() {
      return mode.equals("AllowInsecureFallback");
    }
  }

  /**
   * @param hostname null for every host
   * @param tlsMode {@code Terminate} (the default) or {@code Passthrough}; null without tls
   */
  record Listener(
      String name,
      @Nullable String hostname,
      int port,
      String protocol,
      @Nullable String tlsMode,
      List<Ref> certificateRefs,
      String from,
      @Nullable Selector selector,
      @Nullable List<GroupKind> kinds) {}

  /** A reference as written; group {@code ""} is the core group. */
  record Ref(String group, String kind, @Nullable String namespace, String name) {}

  record GroupKind(String group, String kind) {}

  /** A label selector: {@code matchLabels} and {@code matchExpressions}. */
  record Selector(Map<String, String> matchLabels, List<Expression> expressions) {
    boolean matches(Map<String, String> labels) {
      for (Map.Entry<String, String> e : matchLabels.entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
      for (Expression x : expressions) {
        String v = labels.get(x.key());
        boolean ok =
            switch (x.operator()) {
              case "In" -> v != null && x.values().contains(v);
              case "NotIn" -> v == null || !x.values().contains(v);
              case "Exists" -> v != null;
              case "DoesNotExist" -> v == null;
              default -> false; // an unknown operator selects nothing: fail closed
            };
        if (!ok) {
          return false;
        }
      }
      return true;
    }
  }

  record Expression(String key, String operator, List<String> values) {}

  /** An HTTPRoute or a GRPCRoute. */
  record Route(
      GatewayKind kind,
      Meta meta,
      List<ParentRef> parentRefs,
      List<String> hostnames,
      List<Rule> rules) {}

  /**
   * @param filters as written: each a map with {@code type} and its field
   * @param retry {@code retry} as written (HTTPRoute only), or null when absent
   */
  record Rule(
      List<Map<String, Object>> matches,
      List<Map<String, Object>> filters,
      List<Backend> backendRefs,
      @Nullable String requestTimeout,
      @Nullable String backendRequestTimeout,
      @Nullable Map<String, Object> retry) {}

  /** A backendRef: a reference, a port and a weight, and its own filters. */
  record Backend(Ref ref, @Nullable Integer port, int weight, List<Map<String, Object>> filters) {}

  record ReferenceGrant(Meta meta, List<GrantFrom> from, List<GrantTo> to) {}

  record GrantFrom(String group, String kind, String namespace) {}

  /**
   * @param name null for every object of the kind
   */
  record GrantTo(String group, String kind, @Nullable String name) {}

  // ---- reading ----

  static Meta meta(Map<String, Object> o) {
    Map<String, Object> m = map(o.get("metadata"));
    OffsetDateTime created = null;
    String ts = str(m.get("creationTimestamp"));
    if (ts != null) {
      try {
        created = OffsetDateTime.parse(ts);
      } catch (DateTimeParseException e) {
        created = null; // reads as newest: never holds a host by a malformed age
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    map(m.get("labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
    Number gen = m.get("generation") instanceof Number n ? n : null;
    return new Meta(
        orEmpty(str(m.get("namespace"))),
        orEmpty(str(m.get("name"))),
        gen == null ? 0 : gen.longValue(),
        created,
        labels);
  }

  static GatewayClass gatewayClass(Map<String, Object> o) {
    return new GatewayClass(meta(o), orEmpty(str(map(o.get("spec")).get("controllerName"))));
  }

  static Gateway gateway(Map<String, Object> o) {
    Map<String, Object> spec = map(o.get("spec"));
    List<Listener> listeners = listeners(spec);
    Map<String, Object> backend = map(map(spec.get("tls")).get("backend"));
    List<String> held = new ArrayList<>();
    for (Map<String, Object> a : maps(map(o.get("status")).get("addresses"))) {
      String value = str(a.get("value"));
      if (value != null && "IPAddress".equals(orDefault(str(a.get("type")), "IPAddress"))) {
        held.add(value);
      }
    }
    return new Gateway(
        meta(o),
        orEmpty(str(spec.get("gatewayClassName"))),
        listeners,
        maps(spec.get("addresses")),
        held,
        allowedListeners(map(map(spec.get("allowedListeners")).get("namespaces"))),
        backend.get("clientCertificateRef") == null
            ? null
            : ref(map(backend.get("clientCertificateRef")), CORE, "Secret"),
        frontend(map(map(spec.get("tls")).get("frontend"))));
  }

  private static AllowedListeners allowedListeners(Map<String, Object> ns) {
    return new AllowedListeners(
        orDefault(str(ns.get("from")), "None"),
        ns.get("selector") == null ? null : selector(map(ns.get("selector"))));
  }

  static GatewayListenerSet listenerSet(Map<String, Object> o) {
    Meta meta = meta(o);
    Map<String, Object> spec = map(o.get("spec"));
    Ref parent = ref(map(spec.get("parentRef")), GatewayKind.GROUP, GatewayKind.GATEWAY.kind());
    if (parent.namespace() == null) {
      parent = new Ref(parent.group(), parent.kind(), meta.namespace(), parent.name());
    }
    return new GatewayListenerSet(meta, parent, listeners(spec));
  }

  /** {@code spec.listeners} of a Gateway or a ListenerSet (one shape). */
  private static List<Listener> listeners(Map<String, Object> spec) {
    List<Listener> listeners = new ArrayList<>();
    for (Map<String, Object> l : maps(spec.get("listeners"))) {
      Map<String, Object> tls = map(l.get("tls"));
      List<Ref> certs = new ArrayList<>();
      for (Map<String, Object> c : maps(tls.get("certificateRefs"))) {
        certs.add(ref(c, CORE, "Secret"));
      }
      Map<String, Object> allowed = map(l.get("allowedRoutes"));
      Map<String, Object> ns = map(allowed.get("namespaces"));
      List<GroupKind> kinds = null;
      if (allowed.get("kinds") instanceof List<?>) {
        kinds = new ArrayList<>();
        for (Map<String, Object> k : maps(allowed.get("kinds"))) {
          kinds.add(
              new GroupKind(
                  orDefault(str(k.get("group")), GatewayKind.GROUP), orEmpty(str(k.get("kind")))));
        }
      }
      listeners.add(
          new Listener(
              orEmpty(str(l.get("name"))),
              str(l.get("hostname")),
              integer(l.get("port"), 0),
              orEmpty(str(l.get("protocol"))),
              l.get("tls") == null ? null : orDefault(str(tls.get("mode")), "Terminate"),
              certs,
              orDefault(str(ns.get("from")), "Same"),
              ns.get("selector") == null ? null : selector(map(ns.get("selector"))),
              kinds));
    }
    return listeners;
  }

  static BackendTlsPolicy backendTlsPolicy(Map<String, Object> o) {
    Map<String, Object> spec = map(o.get("spec"));
    List<PolicyTarget> targets = new ArrayList<>();
    for (Map<String, Object> t : maps(spec.get("targetRefs"))) {
      targets.add(
          new PolicyTarget(
              orEmpty(str(t.get("group"))),
              orEmpty(str(t.get("kind"))),
              orEmpty(str(t.get("name"))),
              str(t.get("sectionName"))));
    }
    Map<String, Object> validation = map(spec.get("validation"));
    List<Ref> cas = new ArrayList<>();
    for (Map<String, Object> r : maps(validation.get("caCertificateRefs"))) {
      cas.add(ref(r, CORE, "ConfigMap"));
    }
    List<String> sans = new ArrayList<>();
    for (Map<String, Object> n : maps(validation.get("subjectAltNames"))) {
      String type = orEmpty(str(n.get("type")));
      String value =
          orEmpty(str(n.get(type.equals("Hostname") ? "hostname" : type.toLowerCase(Locale.ROOT))));
      sans.add(
          switch (type) {
            case "Hostname" -> "DNS:" + value;
            case "URI" -> "URI:" + value;
            default -> type + ":" + value;
          });
    }
    return new BackendTlsPolicy(
        meta(o),
        targets,
        cas,
        str(validation.get("wellKnownCACertificates")),
        orEmpty(str(validation.get("hostname"))),
        sans);
  }

  private static Frontend frontend(Map<String, Object> f) {
    if (f.isEmpty()) {
      return Frontend.NONE;
    }
    Map<Integer, Validation> perPort = new LinkedHashMap<>();
    for (Map<String, Object> p : maps(f.get("perPort"))) {
      perPort.put(integer(p.get("port"), 0), validation(map(p.get("tls"))));
    }
    Validation byDefault = validation(map(f.get("default")));
    return new Frontend(byDefault == Validation.NONE ? null : byDefault, perPort);
  }

  /** A TLSConfig's {@code validation}; {@link Validation#NONE} without one. */
  private static Validation validation(Map<String, Object> tlsConfig) {
    if (!(tlsConfig.get("validation") instanceof Map<?, ?>)) {
      return Validation.NONE;
    }
    Map<String, Object> v = map(tlsConfig.get("validation"));
    List<Ref> refs = new ArrayList<>();
    for (Map<String, Object> r : maps(v.get("caCertificateRefs"))) {
      refs.add(ref(r, CORE, "ConfigMap"));
    }
    return new Validation(refs, orDefault(str(v.get("mode")), "AllowValidOnly"));
  }

  static Route route(GatewayKind kind, Map<String, Object> o) {
    Meta meta = meta(o);
    Map<String, Object> spec = map(o.get("spec"));
    List<ParentRef> parents = new ArrayList<>();
    for (Map<String, Object> p : maps(spec.get("parentRefs"))) {
      parents.add(
          new ParentRef(
              str(p.get("group")),
              str(p.get("kind")),
              str(p.get("namespace")),
              orEmpty(str(p.get("name"))),
              str(p.get("sectionName")),
              p.get("port") instanceof Number n ? n.intValue() : null));
    }
    List<String> hostnames = new ArrayList<>();
    for (Object h : list(spec.get("hostnames"))) {
      if (h instanceof String s) {
        hostnames.add(s);
      }
    }
    List<Rule> rules = new ArrayList<>();
    for (Map<String, Object> r : maps(spec.get("rules"))) {
      List<Backend> backends = new ArrayList<>();
      for (Map<String, Object> b : maps(r.get("backendRefs"))) {
        backends.add(
            new Backend(
                ref(b, CORE, "Service"),
                b.get("port") instanceof Number n ? n.intValue() : null,
                integer(b.get("weight"), 1),
                maps(b.get("filters"))));
      }
      Map<String, Object> timeouts = map(r.get("timeouts"));
      rules.add(
          new Rule(
              maps(r.get("matches")),
              maps(r.get("filters")),
              backends,
              str(timeouts.get("request")),
              str(timeouts.get("backendRequest")),
              r.get("retry") instanceof Map<?, ?> ? map(r.get("retry")) : null));
    }
    return new Route(kind, meta, parents, hostnames, rules);
  }

  static ReferenceGrant referenceGrant(Map<String, Object> o) {
    Map<String, Object> spec = map(o.get("spec"));
    List<GrantFrom> from = new ArrayList<>();
    for (Map<String, Object> f : maps(spec.get("from"))) {
      from.add(
          new GrantFrom(
              orEmpty(str(f.get("group"))),
              orEmpty(str(f.get("kind"))),
              orEmpty(str(f.get("namespace")))));
    }
    List<GrantTo> to = new ArrayList<>();
    for (Map<String, Object> t : maps(spec.get("to"))) {
      to.add(
          new GrantTo(
              orEmpty(str(t.get("group"))), orEmpty(str(t.get("kind"))), str(t.get("name"))));
    }
    return new ReferenceGrant(meta(o), from, to);
  }

  static Ref ref(Map<String, Object> m, String defaultGroup, String defaultKind) {
    return new Ref(
        orDefault(str(m.get("group")), defaultGroup),
        orDefault(str(m.get("kind")), defaultKind),
        str(m.get("namespace")),
        orEmpty(str(m.get("name"))));
  }

  private static Selector selector(Map<String, Object> s) {
    Map<String, String> labels = new LinkedHashMap<>();
    map(s.get("matchLabels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
    List<Expression> exprs = new ArrayList<>();
    for (Map<String, Object> e : maps(s.get("matchExpressions"))) {
      List<String> values = new ArrayList<>();
      for (Object v : list(e.get("values"))) {
        values.add(String.valueOf(v));
      }
      exprs.add(
          new Expression(orEmpty(str(e.get("key"))), orEmpty(str(e.get("operator"))), values));
    }
    return new Selector(labels, exprs);
  }

  // ---- plain-map access ----

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(@Nullable Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static List<?> list(@Nullable Object o) {
    return o instanceof List<?> l ? l : List.of();
  }

  static List<Map<String, Object>> maps(@Nullable Object o) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object e : list(o)) {
      if (e instanceof Map<?, ?>) {
        out.add(map(e));
      }
    }
    return out;
  }

  static @Nullable String str(@Nullable Object o) {
    return o instanceof String s ? s : null;
  }

  static int integer(@Nullable Object o, int otherwise) {
    return o instanceof Number n ? n.intValue() : otherwise;
  }

  static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  static String orDefault(@Nullable String s, String otherwise) {
    return s == null ? otherwise : s;
  }
}
