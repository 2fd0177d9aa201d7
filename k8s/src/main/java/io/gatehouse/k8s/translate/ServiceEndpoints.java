package io.gatehouse.k8s.translate;

import io.gatehouse.model.Endpoint;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints of one Service port: a pure function of the Service, the port a backend names and
 * the Service's EndpointSlices. Kept apart from {@link IngressTranslator} so that whatever computes
 * a Service's endpoints (each node's endpoint feed; the translator, for its warnings) applies the
 * same rules.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>The Service port is the first whose number or name equals the backend's.
 *   <li><b>ExternalName</b> Services have no slices: the endpoint is {@code externalName} at the
 *       matched port, or at the backend's number when no port matches. No number, or no {@code
 *       externalName}, is {@link PortNotFound}; a name the policy refuses is {@link
 *       RefusedExternalName}.
 *   <li>Other Services use their slices of address type {@code IPv4} or {@code IPv6} ({@code FQDN}
 *       is not an address we may dial), at the slice port named like the Service port (unnamed
 *       matches unnamed) whose protocol is TCP or unset.
 *   <li>Of each endpoint only the first address counts (Kubernetes: the others are fungible). An
 *       address the policy refuses is dropped and reported, whatever its conditions.
 *   <li>Ready (or readiness unknown) and not terminating endpoints serve; serving-but-terminating
 *       ones serve only when none is ready, so a rollout never drains to nothing.
 *   <li>Endpoints come once each, sorted by host then port.
 * </ul>
 */
public final class ServiceEndpoints {
  /** The rule an address breaks, worded as what was expected; null when it may be an upstream. */
  @FunctionalInterface
  public interface Refusals {
    @Nullable String refusal(String address);
  }

  /** What a backend's Service port resolves to. */
  public sealed interface Result permits PortNotFound, RefusedExternalName, Endpoints {}

  /** No port of the Service matches the backend's (or an ExternalName Service has no name). */
  public record PortNotFound() implements Result {}

  /** An ExternalName Service whose name the policy refuses: no endpoints. */
  public record RefusedExternalName(String externalName, String refusal) implements Result {}

  /**
   * The endpoints to use (possibly none), and each refused slice address, in address order, with
   * the rule it breaks.
   */
  public record Endpoints(List<Endpoint> endpoints, Map<String, String> refused)
      implements Result {}

  private static final String EXTERNAL_NAME = "ExternalName";

  private static final Comparator<Endpoint> ENDPOINT_ORDER =
      Comparator.comparing(Endpoint::host).thenComparingInt(Endpoint::port);

  private final Refusals externalNames;
  private final Refusals sliceAddresses;

  /**
   * Two policies because anyone who may create a Service may name any host in it, while slice
   * addresses are held to a stricter one (the translator adds loopback and unspecified).
   *
   * @param externalNames the refusals for an ExternalName Service's {@code externalName}
   * @param sliceAddresses the refusals for EndpointSlice addresses
   */
  public ServiceEndpoints(Refusals externalNames, Refusals sliceAddresses) {
    this.externalNames = Objects.requireNonNull(externalNames, "externalNames");
    this.sliceAddresses = Objects.requireNonNull(sliceAddresses, "sliceAddresses");
  }

  /** The rule an EndpointSlice address breaks, or null when it may be an upstream. */
  public @Nullable String addressRefusal(String address) {
    return sliceAddresses.refusal(address);
  }

  /** Whether the Service (which must have a spec) is of type ExternalName. */
  public static boolean isExternalName(V1Service service) {
    return EXTERNAL_NAME.equals(service.getSpec().getType());
  }

  /**
   * @param service a Service with a spec (a Service without one is the caller's "not found")
   * @param number the backend's port number, or null
   * @param portName the backend's port name, or null
   * @param slices the Service's EndpointSlices (ignored for an ExternalName Service)
   */
  public Result compute(
      V1Service service,
      @Nullable Integer number,
      @Nullable String portName,
      List<V1EndpointSlice> slices) {
    List<V1ServicePort> ports = service.getSpec().getPorts();
    V1ServicePort port = null;
    for (V1ServicePort sp : ports == null ? List.<V1ServicePort>of() : ports) {
      if ((number != null && number.equals(sp.getPort()))
          || (portName != null && portName.equals(sp.getName()))) {
        port = sp;
        break;
      }
    }
    if (isExternalName(service)) {
      // no port list is needed to reach a DNS name: a number the Service does not list still works
      Integer p = port != null ? port.getPort() : number;
      String name = service.getSpec().getExternalName();
      if (p == null || name == null) {
        return new PortNotFound();
      }
      String refusal = externalNames.refusal(name);
      if (refusal != null) {
        return new RefusedExternalName(name, refusal);
      }
      return new Endpoints(List.of(Endpoint.of(name, p)), Map.of());
    }
    if (port == null) {
      return new PortNotFound();
    }
    return fromSlices(slices, port.getName() == null ? "" : port.getName());
  }

  private Endpoints fromSlices(List<V1EndpointSlice> slices, String wanted) {
    Map<String, String> refused = new TreeMap<>();
    Set<Endpoint> ready = new TreeSet<>(ENDPOINT_ORDER);
    Set<Endpoint> terminating = new TreeSet<>(ENDPOINT_ORDER);
    for (V1EndpointSlice slice : slices) {
      String type = slice.getAddressType();
      if (!"IPv4".equals(type) && !"IPv6".equals(type)) {
        continue;
      }
      Integer target = targetPort(slice, wanted);
      if (target == null || slice.getEndpoints() == null) {
        continue;
      }
      for (V1Endpoint e : slice.getEndpoints()) {
        if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
          continue;
        }
        String address = e.getAddresses().get(0);
        String refusal = sliceAddresses.refusal(address);
        if (refusal != null) {
          refused.putIfAbsent(address, refusal);
          continue;
        }
        Endpoint ep = Endpoint.of(address, target);
        V1EndpointConditions c = e.getConditions();
        // unset conditions mean ready (the EndpointSlice API's own default)
        boolean isReady = c == null || c.getReady() == null || c.getReady();
        boolean isTerminating = c != null && Boolean.TRUE.equals(c.getTerminating());
        if (isReady && !isTerminating) {
          ready.add(ep);
        } else if (isTerminating && Boolean.TRUE.equals(c.getServing())) {
          terminating.add(ep);
        }
      }
    }
    return new Endpoints(
        List.copyOf(ready.isEmpty() ? terminating : ready), Collections.unmodifiableMap(refused));
  }

  /** The slice's port named {@code wanted} when TCP (or unset), else null. */
  private static @Nullable Integer targetPort(V1EndpointSlice slice, String wanted) {
    if (slice.getPorts() == null) {
      return null;
    }
    for (DiscoveryV1EndpointPort p : slice.getPorts()) {
      String name = p.getName() == null ? "" : p.getName();
      if (name.equals(wanted) && (p.getProtocol() == null || "TCP".equals(p.getProtocol()))) {
        return p.getPort();
      }
    }
    return null;
  }
}
