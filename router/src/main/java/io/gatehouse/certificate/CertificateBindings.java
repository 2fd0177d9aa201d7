package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which certificate serves which host, as routes say: a route's {@link TlsSpec} binds its TLS hosts
 * to the certificate {@code (route tenant, certificateName)}. Pure: the same input gives the same
 * bindings and problems.
 *
 * <p>The certificate is looked up in the table first, then (for the {@code default} tenant) in the
 * certificate directory, so routes files keep naming the directory's certificates. A host is bound
 * only when the certificate exists, is valid now and covers it (the same name, or a wildcard one
 * label above it); otherwise the route gets a problem naming the host and the certificate's DNS
 * names, and the host is left to the directory and the default certificate. Never silently.
 *
 * <p>Two routes that bind one host to different certificates: the certificate that expires later
 * wins, then the lower certificate key; the other route gets a problem.
 *
 * @param hosts host ({@code name} or {@code *.suffix}) → the table certificate it is bound to
 *     (directory certificates are served by their DNS names already and are not repeated here)
 * @param httpsHosts every TLS host of every route, bound or not
 * @param problems per route, in route key order
 */
public record CertificateBindings(
    Map<String, ValidCertificate> hosts, Set<String> httpsHosts, List<Problem> problems) {
  public static final CertificateBindings NONE =
      new CertificateBindings(Map.of(), Set.of(), List.of());

  public CertificateBindings {
    hosts = Map.copyOf(hosts);
    httpsHosts = Set.copyOf(httpsHosts);
    problems = List.copyOf(problems);
  }

  /** Why one of a route's hosts is not served with the certificate it names. */
  public record Problem(RouteKey route, String message) {}

  /**
   * @param routes the TLS settings of every route that has them (validated: hosts normalised, never
   *     empty unless the route serves every host)
   * @param table the table's certificates, each validated (once, see {@link
   *     TableCertificateSource})
   * @param directory the directory's valid certificates (tenant {@code default})
   * @param now certificates that expired by then are not bound
   */
  public static CertificateBindings bind(
      Map<RouteKey, TlsSpec> routes,
      Map<CertificateKey, Validated<ValidCertificate>> table,
      Map<CertificateKey, ValidCertificate> directory,
      Instant now) {
    Map<String, ValidCertificate> hosts = new HashMap<>();
    Map<String, RouteKey> boundBy = new HashMap<>();
    Set<String> https = new HashSet<>();
    List<Problem> problems = new ArrayList<>();
    for (Map.Entry<RouteKey, TlsSpec> e : new TreeMap<>(routes).entrySet()) {
      RouteKey route = e.getKey();
      TlsSpec tls = e.getValue();
      https.addAll(tls.hosts());
      CertificateKey key = tls.certificateKey(route.tenant());
      Validated<ValidCertificate> found = table.get(key);
      boolean fromTable = found != null;
      if (found == null && directory.containsKey(key)) {
        found = Validated.ok(directory.get(key));
      }
      if (found == null) {
        problems.add(
            new Problem(
                route,
                "certificate "
                    + key
                    + " does not exist; hosts "
                    + tls.hosts()
                    + " get the default certificate"));
        continue;
      }
      ValidCertificate cert = found.value();
      if (cert == null) {
        problems.add(
            new Problem(
                route,
                "certificate "
                    + key
                    + " is invalid ("
                    + found.violations().stream()
                        .map(Violation::toString)
                        .collect(Collectors.joining("; "))
                    + "); hosts "
                    + tls.hosts()
                    + " get the default certificate"));
        continue;
      }
      if (!now.isBefore(cert.notAfter())) {
        problems.add(
            new Problem(
                route,
                "certificate "
                    + key
                    + " expired at "
                    + cert.notAfter()
                    + "; hosts "
                    + tls.hosts()
                    + " get the default certificate"));
        continue;
      }
      for (String host : tls.hosts()) {
        if (CertificateValidator.coverage(cert, host).isEmpty()) {
          problems.add(
              new Problem(
                  route,
                  "certificate "
                      + key
                      + " (SANs: "
                      + cert.dnsNames()
                      + ") does not cover host "
                      + host
                      + "; it gets the default certificate"));
          continue;
        }
        if (!fromTable) {
          continue; // served by its DNS names from the directory already
        }
        ValidCertificate other = hosts.get(host);
        if (other == null || other.key().equals(cert.key())) {
          hosts.put(host, cert);
          boundBy.put(host, route);
          continue;
        }
        ValidCertificate winner = PREFERRED.compare(cert, other) < 0 ? cert : other;
        // bound together with hosts: a host with a certificate has its route
        RouteKey holder = Objects.requireNonNull(boundBy.get(host), "boundBy");
        RouteKey loser = winner == cert ? holder : route;
        ValidCertificate lost = winner == cert ? other : cert;
        hosts.put(host, winner);
        boundBy.put(host, winner == cert ? route : holder);
        problems.add(
            new Problem(
                loser,
                "host "
                    + host
                    + " is served with certificate "
                    + winner.key()
                    + " (bound by route "
                    + boundBy.get(host)
                    + "), not "
                    + lost.key()));
      }
    }
    problems.sort(Comparator.comparing(Problem::route));
    return new CertificateBindings(hosts, https, problems);
  }

  private static final Comparator<ValidCertificate> PREFERRED =
      Comparator.comparing(ValidCertificate::notAfter)
          .reversed()
          .thenComparing(ValidCertificate::key);
}
