package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.model.Endpoint;
import io.gatehouse.validate.EndpointPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How the watcher runs.
 *
 * @param namespaces the namespaces to watch; empty watches all of them
 * @param ingressLabelSelector only Ingresses matching it (e.g. {@code team=a}); empty for all
 * @param className the one IngressClass to serve; empty serves every class of our controller
 * @param holdOff how long a burst of events is merged before one rebuild
 * @param maxDelay the longest a rebuild waits under a steady stream of events
 * @param endpointMapper applied by the node's endpoint feed to every endpoint it computes: identity
 *     in production. A test seam only: set in code by a test, never from configuration or from any
 *     Kubernetes object, so a tenant cannot turn it on (the API server refuses loopback addresses
 *     in EndpointSlices, so tests map documentation addresses to their loopback backends)
 * @param upstreams the ExternalNames (and EndpointSlice addresses) refused: {@link
 *     IngressTranslator#upstreamPolicy}; by default loopback, link-local, cloud metadata and
 *     unspecified addresses
 * @param nginxConfigMap {@code namespace/name} of ingress-nginx's controller ConfigMap, whose keys
 *     become the defaults of every Ingress; empty for none
 */
public record IngressWatcherOptions(
    List<String> namespaces,
    String ingressLabelSelector,
    String className,
    Duration holdOff,
    Duration maxDelay,
    UnaryOperator<Endpoint> endpointMapper,
    EndpointPolicy upstreams,
    String nginxConfigMap) {
  public static final IngressWatcherOptions DEFAULTS =
      new IngressWatcherOptions(
          List.of(),
          "",
          "",
          Duration.ofMillis(50),
          Duration.ofMillis(500),
          UnaryOperator.identity());

  /** With the default upstream policy. */
  public IngressWatcherOptions(
      List<String> namespaces,
      String ingressLabelSelector,
      String className,
      Duration holdOff,
      Duration maxDelay,
      UnaryOperator<Endpoint> endpointMapper) {
    this(
        namespaces,
        ingressLabelSelector,
        className,
        holdOff,
        maxDelay,
        endpointMapper,
        IngressTranslator.upstreamPolicy(List.of(), false));
  }

  /** Without a controller ConfigMap. */
  public IngressWatcherOptions(
      List<String> namespaces,
      String ingressLabelSelector,
      String className,
      Duration holdOff,
      Duration maxDelay,
      UnaryOperator<Endpoint> endpointMapper,
      EndpointPolicy upstreams) {
    this(
        namespaces,
        ingressLabelSelector,
        className,
        holdOff,
        maxDelay,
        endpointMapper,
        upstreams,
        "");
  }

  public IngressWatcherOptions {
    namespaces = List.copyOf(namespaces);
    ingressLabelSelector = ingressLabelSelector == null ? "" : ingressLabelSelector;
    className = className == null ? "" : className;
    Objects.requireNonNull(holdOff, "holdOff");
    Objects.requireNonNull(maxDelay, "maxDelay");
    endpointMapper = endpointMapper == null ? UnaryOperator.identity() : endpointMapper;
    Objects.requireNonNull(upstreams, "upstreams");
    nginxConfigMap = nginxConfigMap == null ? "" : nginxConfigMap;
    if (!nginxConfigMap.isEmpty() && nginxConfigMap.split("/", -1).length != 2) {
      throw new IllegalArgumentException(
          "nginxConfigMap: \"" + nginxConfigMap + "\" (expected: namespace/name)");
    }
  }

  public IngressWatcherOptions withNamespaces(List<String> ns) {
    return new IngressWatcherOptions(
        ns,
        ingressLabelSelector,
        className,
        holdOff,
        maxDelay,
        endpointMapper,
        upstreams,
        nginxConfigMap);
  }

  public IngressWatcherOptions withNginxConfigMap(String namespaceAndName) {
    return new IngressWatcherOptions(
        namespaces,
        ingressLabelSelector,
        className,
        holdOff,
        maxDelay,
        endpointMapper,
        upstreams,
        namespaceAndName);
  }

  public IngressWatcherOptions withEndpointMapper(UnaryOperator<Endpoint> mapper) {
    return new IngressWatcherOptions(
        namespaces,
        ingressLabelSelector,
        className,
        holdOff,
        maxDelay,
        mapper,
        upstreams,
        nginxConfigMap);
  }
}
