package io.gatehouse.k8s.translate;

import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.RouteSpec;
import java.util.List;
import java.util.Set;

/**
 * The whole cluster, translated: validated routes of source {@code k8s}, the certificates their TLS
 * sections name, the problems to report, and the Ingresses this controller owns and serves (they
 * get the load balancer address in their status; Ingresses of other classes, and refused ones such
 * as canaries, are absent).
 */
public record Translation(
    List<RouteSpec> routes,
    List<CertificateSpec> certificates,
    List<IngressProblem> problems,
    Set<IngressRef> owned) {
  public static final Translation EMPTY =
      new Translation(List.of(), List.of(), List.of(), Set.of());

  public Translation {
    routes = List.copyOf(routes);
    certificates = List.copyOf(certificates);
    problems = List.copyOf(problems);
    owned = Set.copyOf(owned);
  }
}
