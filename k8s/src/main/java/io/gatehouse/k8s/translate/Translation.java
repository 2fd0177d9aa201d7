package io.gatehouse.k8s.translate;

import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The whole cluster, translated: validated routes of source {@code k8s}, the certificates their TLS
 * sections name, the problems to report, and the Ingresses this controller owns and serves (they
 * get the load balancer address in their status; Ingresses of other classes, and refused ones such
 * as canaries, are absent).
 *
 * @param origins the Ingress each route comes from, so a problem met while writing a route (the
 *     cluster cannot read it yet) is reported on its Ingress
 * @param sliceRefusals for each Service port whose EndpointSlices the translation read, the slice
 *     addresses the policy refused there (address to rule; empty when none). Routes refer to
 *     Service ports and carry no endpoints, so this is all of the translation that slices decide: a
 *     slice change that leaves it equal leaves the translation equal (the watcher's test)
 * @param controllerProblems what to report on ingress-nginx's controller ConfigMap (its namespace
 *     and name in place of an Ingress's): Warning events on the ConfigMap
 */
public record Translation(
    List<RouteSpec> routes,
    List<CertificateSpec> certificates,
    List<IngressProblem> problems,
    Set<IngressRef> owned,
    Map<RouteKey, IngressRef> origins,
    Map<SlicePort, Map<String, String>> sliceRefusals,
    List<IngressProblem> controllerProblems) {
  public static final Translation EMPTY =
      new Translation(List.of(), List.of(), List.of(), Set.of());

  /** A Service port as a backend names it (by number, or by name with a null number). */
  public record SlicePort(
      String namespace, String service, @Nullable Integer number, @Nullable String portName) {}

  public Translation {
    routes = List.copyOf(routes);
    certificates = List.copyOf(certificates);
    problems = List.copyOf(problems);
    owned = Set.copyOf(owned);
    origins = Map.copyOf(origins);
    sliceRefusals = Map.copyOf(sliceRefusals);
    controllerProblems = List.copyOf(controllerProblems);
  }

  public Translation(
      List<RouteSpec> routes,
      List<CertificateSpec> certificates,
      List<IngressProblem> problems,
      Set<IngressRef> owned,
      Map<RouteKey, IngressRef> origins,
      Map<SlicePort, Map<String, String>> sliceRefusals) {
    this(routes, certificates, problems, owned, origins, sliceRefusals, List.of());
  }

  public Translation(
      List<RouteSpec> routes,
      List<CertificateSpec> certificates,
      List<IngressProblem> problems,
      Set<IngressRef> owned,
      Map<RouteKey, IngressRef> origins) {
    this(routes, certificates, problems, owned, origins, Map.of());
  }

  public Translation(
      List<RouteSpec> routes,
      List<CertificateSpec> certificates,
      List<IngressProblem> problems,
      Set<IngressRef> owned) {
    this(routes, certificates, problems, owned, Map.of());
  }

  /** This translation with {@code more} problems after its own. */
  public Translation withProblems(List<IngressProblem> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<IngressProblem> all = new ArrayList<>(problems);
    all.addAll(more);
    return new Translation(
        routes, certificates, all, owned, origins, sliceRefusals, controllerProblems);
  }
}
