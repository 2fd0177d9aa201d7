package io.gatehouse.k8s.translate.gateway;

import static io.gatehouse.k8s.translate.gateway.GatewayCondition.ACCEPTED;
import static io.gatehouse.k8s.translate.gateway.GatewayCondition.RESOLVED_REFS;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.BackendTlsPolicy;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.PolicyTarget;
import io.gatehouse.k8s.translate.gateway.GatewayObjects.Ref;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ParentRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.PolicyStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteParentStatus;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.Validated;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ServicePort;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * BackendTLSPolicies (GEP-1897): which policy a Service port's backends are reached by, the
 * upstream TLS it stands for, and each policy's status. A policy names Services of its namespace (a
 * port by its name with {@code sectionName}); for one Service (port) the oldest policy
 * (creationTimestamp, then name) applies and the others are {@code Conflicted}; a policy naming the
 * port beats one naming the whole Service. The CAs come from ConfigMaps (key {@code ca.crt}) or the
 * JDK's trust store ({@code wellKnownCACertificates: System}); a policy without a usable CA is not
 * accepted and its backends answer 500 (never plaintext, never unverified TLS). Pure, as the rest
 * of the translation.
 */
final class BackendTlsPolicies {
  static final String CA_KEY = "ca.crt";

  /** A policy with what it resolved to; {@code tls} is null when it has no usable CA. */
  static final class Applied {
    final BackendTlsPolicy policy;
    @Nullable UpstreamTls tls;

    /** Why {@link #tls} is null (or a ref did not resolve): the ResolvedRefs condition. */
    @Nullable GatewayCondition unresolved;

    /** Why the policy is not accepted though its refs resolved (conflict, a bad value). */
    @Nullable GatewayCondition notAccepted;

    /** The Gateways (namespace/name) whose routes use a Service port the policy applies to. */
    final Set<String> ancestors = new TreeSet<>();

    Applied(BackendTlsPolicy policy) {
      this.policy = policy;
    }

    ObjectRef ref() {
      return new ObjectRef(
          GatewayKind.BACKEND_TLS_POLICY, policy.meta().namespace(), policy.meta().name());
    }

    /** Why its backends answer 500; null when they are reached over TLS. */
    @Nullable String failure() {
      if (tls != null) {
        return null;
      }
      GatewayCondition why = notAccepted != null ? notAccepted : unresolved;
      return "BackendTLSPolicy "
          + policy.meta().path()
          + " is not usable"
          + (why == null ? "" : ": " + why.message());
    }
  }

  private final List<Applied> all = new ArrayList<>();

  /** By {@code namespace/service#sectionName} ({@code #} alone: the whole Service). */
  private final Map<String, Applied> byTarget = new HashMap<>();

  /** Every policy naming a target, the winner first: the losers report their conflict there. */
  private final Map<String, List<Applied>> targeting = new HashMap<>();

  BackendTlsPolicies(ClusterState cluster, GatewayState state) {
    for (Map<String, Object> o : state.objects(GatewayKind.BACKEND_TLS_POLICY)) {
      all.add(new Applied(GatewayObjects.backendTlsPolicy(o)));
    }
    // GEP-713: the oldest policy wins a target, then the name in alphabetical order
    all.sort(
        Comparator.comparing(
                (Applied a) -> a.policy.meta().created(),
                Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder()))
            .thenComparing(a -> a.policy.meta().namespace())
            .thenComparing(a -> a.policy.meta().name()));
    for (Applied a : all) {
      resolve(cluster, a);
      for (PolicyTarget t : a.policy.targets()) {
        if (!t.group().isEmpty() || !t.kind().equals("Service")) {
          continue; // not a target Gatehouse reaches backends by: no effect
        }
        String key = key(a.policy.meta().namespace(), t.name(), t.sectionName());
        targeting.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
        Applied holder = byTarget.putIfAbsent(key, a);
        if (holder != null && holder != a && a.notAccepted == null) {
          a.notAccepted =
              GatewayCondition.no(
                  ACCEPTED,
                  "Conflicted",
                  "Service "
                      + t.name()
                      + (t.sectionName() == null ? "" : " port " + t.sectionName())
                      + " is the target of BackendTLSPolicy "
                      + holder.policy.meta().name()
                      + " (older, or as old and first by name)",
                  a.policy.meta().generation());
        }
      }
    }
  }

  private static String key(String namespace, String service, @Nullable String section) {
    return namespace + "/" + service + "#" + (section == null ? "" : section);
  }

  /**
   * The policy a backendRef to {@code port} of Service {@code namespace/service} is reached by;
   * every policy naming the port or the Service gets {@code gateways} as ancestors (the losers of a
   * conflict too, so that their status says so).
   */
  @Nullable Applied forPort(
      String namespace, String service, V1ServicePort port, Set<String> gateways) {
    String byName = port.getName() == null ? null : key(namespace, service, port.getName());
    String whole = key(namespace, service, null);
    for (String k : byName == null ? List.of(whole) : List.of(byName, whole)) {
      for (Applied a : targeting.getOrDefault(k, List.of())) {
        a.ancestors.addAll(gateways);
      }
    }
    Applied a = byName == null ? null : byTarget.get(byName);
    return a != null ? a : byTarget.get(whole);
  }

  /** The CAs, hostname and names of {@code a}, or why they are not usable. */
  private static void resolve(ClusterState cluster, Applied a) {
    BackendTlsPolicy p = a.policy;
    long gen = p.meta().generation();
    String ns = p.meta().namespace();
    StringBuilder bundle = new StringBuilder();
    for (int i = 0; i < p.caCertificateRefs().size(); i++) {
      Ref ref = p.caCertificateRefs().get(i);
      String field = "spec.validation.caCertificateRefs[" + i + "]";
      if (!ref.group().isEmpty() || !ref.kind().equals("ConfigMap")) {
        unresolved(
            a,
            "InvalidKind",
            field + ": " + ref.group() + "/" + ref.kind() + " (expected: a core ConfigMap)",
            gen);
        continue;
      }
      Optional<V1ConfigMap> cm = cluster.configMap(ns, ref.name());
      String pem =
          cm.isEmpty() || cm.get().getData() == null ? null : cm.get().getData().get(CA_KEY);
      String why = null;
      if (cm.isEmpty()) {
        why = "not found";
      } else if (pem == null || pem.isBlank()) {
        why = "no key " + CA_KEY;
      } else {
        Validated<List<java.security.cert.X509Certificate>> cas =
            CertificateValidator.validateCaBundle(field, pem);
        if (!cas.isValid()) {
          why = CA_KEY + ": " + GatewayListeners.messages(cas.violations());
        }
      }
      if (why != null || pem == null) {
        unresolved(
            a,
            "InvalidCACertificateRef",
            field + ": ConfigMap " + ns + "/" + ref.name() + ": " + why,
            gen);
      } else {
        bundle.append(pem.strip()).append('\n');
      }
    }
    String wellKnown = p.wellKnownCaCertificates();
    boolean system = "System".equals(wellKnown);
    if (wellKnown != null && !system) {
      notAccepted(
          a,
          "Invalid",
          "spec.validation.wellKnownCACertificates: \"" + wellKnown + "\" (expected: System)",
          gen);
    }
    if (bundle.isEmpty() && !system) {
      // every CA reference is invalid (or none is given): nothing to verify the backend against
      notAccepted(a, "NoValidCACertificate", "no valid CA certificate", gen);
    }
    Validated<String> host =
        Hostnames.normalizeConfigured("spec.validation.hostname", p.hostname());
    String hostname = host.value();
    if (hostname == null || hostname.startsWith("*.")) {
      notAccepted(
          a,
          "Invalid",
          "spec.validation.hostname: \"" + p.hostname() + "\" (expected: a host name, no '*')",
          gen);
    }
    for (String san : p.subjectAltNames()) {
      if (!san.startsWith(UpstreamTls.SAN_DNS) && !san.startsWith(UpstreamTls.SAN_URI)) {
        notAccepted(
            a,
            "Invalid",
            "spec.validation.subjectAltNames: \"" + san + "\" (expected: type Hostname or URI)",
            gen);
      }
    }
    if (a.notAccepted == null && hostname != null) {
      a.tls =
          new UpstreamTls(
              bundle.isEmpty() ? null : bundle.toString(),
              true,
              hostname,
              false,
              null,
              p.subjectAltNames());
    }
  }

  private static void unresolved(Applied a, String reason, String message, long gen) {
    if (a.unresolved == null) {
      a.unresolved = GatewayCondition.no(RESOLVED_REFS, reason, message, gen);
    }
  }

  private static void notAccepted(Applied a, String reason, String message, long gen) {
    if (a.notAccepted == null) {
      a.notAccepted = GatewayCondition.no(ACCEPTED, reason, message, gen);
    }
  }

  /**
   * {@code status.ancestors} of every policy a route of ours uses: per Gateway, Accepted and
   * ResolvedRefs.
   */
  List<ObjectStatus> statuses() {
    List<ObjectStatus> out = new ArrayList<>();
    for (Applied a : all) {
      if (a.ancestors.isEmpty()) {
        continue;
      }
      long gen = a.policy.meta().generation();
      GatewayCondition accepted =
          a.notAccepted != null
              ? a.notAccepted
              : GatewayCondition.yes(ACCEPTED, "Accepted", "accepted", gen);
      GatewayCondition resolved =
          a.unresolved != null
              ? a.unresolved
              : GatewayCondition.yes(RESOLVED_REFS, "ResolvedRefs", "references resolved", gen);
      List<RouteParentStatus> ancestors = new ArrayList<>();
      for (String g : a.ancestors) {
        int slash = g.indexOf('/');
        ancestors.add(
            new RouteParentStatus(
                new ParentRef(
                    GatewayKind.GROUP,
                    GatewayKind.GATEWAY.kind(),
                    g.substring(0, slash),
                    g.substring(slash + 1),
                    null,
                    null),
                List.of(accepted, resolved)));
      }
      out.add(new PolicyStatus(a.ref(), ancestors));
    }
    return out;
  }
}
