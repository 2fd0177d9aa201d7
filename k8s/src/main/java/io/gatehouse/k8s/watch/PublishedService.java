package io.gatehouse.k8s.watch;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of the controller's own Service, for Ingress status: ingress-nginx's {@code
 * --publish-service}. Two informers watch that one Service (field selector on its name) and, for a
 * headless one, its EndpointSlices; every change calls {@code onChange}, so the status follows the
 * Service (a load balancer that gets or changes its address).
 *
 * <p>Which addresses, by Service type ({@link #addresses(V1Service, List)}):
 *
 * <ul>
 *   <li>{@code LoadBalancer}: {@code status.loadBalancer.ingress} (the IP, else the hostname), then
 *       {@code spec.externalIPs}; as ingress-nginx.
 *   <li>{@code NodePort} and {@code ClusterIP}: {@code spec.externalIPs}, else the cluster IP.
 *   <li>{@code ClusterIP: None} (headless, as for the hostNetwork DaemonSet): the ready endpoint
 *       addresses, which under {@code hostNetwork} are the nodes' addresses.
 *   <li>{@code ExternalName}: the external name.
 * </ul>
 */
public final class PublishedService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PublishedService.class);

  private final String namespace;
  private final String name;
  private final SharedInformerFactory factory;
  private final SharedIndexInformer<V1Service> services;
  private final SharedIndexInformer<V1EndpointSlice> slices;
  private @Nullable List<String> logged;

  /**
   * @param ref {@code namespace/name} of the Service
   * @param onChange called on every change of the Service or its EndpointSlices (informer thread)
   */
  public PublishedService(ApiClient client, String ref, Runnable onChange) {
    int slash = ref.indexOf('/');
    if (slash <= 0 || slash == ref.length() - 1 || ref.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(
          "publish service: \"" + ref + "\" (expected: namespace/name)");
    }
    this.namespace = ref.substring(0, slash);
    this.name = ref.substring(slash + 1);
    Objects.requireNonNull(onChange, "onChange");
    this.factory = new SharedInformerFactory(client);
    this.services =
        factory.sharedIndexInformerFor(
            new IngressWatcher.Lister<>(
                new GenericKubernetesApi<>(
                    V1Service.class, V1ServiceList.class, "", "v1", "services", client),
                namespace,
                "",
                "metadata.name=" + name),
            V1Service.class,
            0L,
            (t, e) -> warn(e));
    this.slices =
        factory.sharedIndexInformerFor(
            new IngressWatcher.Lister<>(
                new GenericKubernetesApi<>(
                    V1EndpointSlice.class,
                    V1EndpointSliceList.class,
                    "discovery.k8s.io",
                    "v1",
                    "endpointslices",
                    client),
                namespace,
                "kubernetes.io/service-name=" + name,
                ""),
            V1EndpointSlice.class,
            0L,
            (t, e) -> warn(e));
    services.addEventHandler(handler(onChange));
    slices.addEventHandler(handler(onChange));
  }

  private static <T extends KubernetesObject> ResourceEventHandler<T> handler(Runnable onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.run();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.run();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        onChange.run();
      }
    };
  }

  private void warn(Throwable e) {
    LOG.atWarn()
        .setMessage("publish service: list/watch failed; retrying with backoff")
        .addKeyValue("service", namespace + "/" + name)
        .addKeyValue("error", String.valueOf(e.getMessage()))
        .log();
  }

  public PublishedService start() {
    factory.startAllRegisteredInformers();
    return this;
  }

  /** The current addresses; empty until the Service exists and has one (logged once per change). */
  public List<String> addresses() {
    V1Service svc = null;
    for (V1Service s : services.getIndexer().list()) {
      if (s.getMetadata() != null && name.equals(s.getMetadata().getName())) {
        svc = s;
      }
    }
    List<String> out = svc == null ? List.of() : addresses(svc, slices.getIndexer().list());
    report(svc, out);
    return out;
  }

  private synchronized void report(@Nullable V1Service svc, List<String> out) {
    if (out.equals(logged) || !services.hasSynced()) {
      return;
    }
    logged = out;
    if (out.isEmpty()) {
      LOG.atWarn()
          .setMessage(
              svc == null
                  ? "publish service not found; no Ingress status is written until it exists"
                  : "publish service has no address yet; no Ingress status is written until it"
                      + " has one")
          .addKeyValue("service", namespace + "/" + name)
          .log();
    } else {
      LOG.atInfo()
          .setMessage("Ingress status address from the publish service")
          .addKeyValue("service", namespace + "/" + name)
          .addKeyValue("addresses", String.join(",", out))
          .log();
    }
  }

  /** The addresses Ingress status should carry for {@code svc} (pure). */
  public static List<String> addresses(V1Service svc, List<V1EndpointSlice> slices) {
    if (svc.getSpec() == null) {
      return List.of();
    }
    String type = svc.getSpec().getType() == null ? "ClusterIP" : svc.getSpec().getType();
    List<String> externalIps =
        svc.getSpec().getExternalIPs() == null ? List.of() : svc.getSpec().getExternalIPs();
    String clusterIp = svc.getSpec().getClusterIP();
    Set<String> out = new LinkedHashSet<>();
    switch (type) {
      case "ExternalName" -> {
        if (svc.getSpec().getExternalName() != null) {
          out.add(svc.getSpec().getExternalName());
        }
      }
      case "LoadBalancer" -> {
        if (svc.getStatus() != null
            && svc.getStatus().getLoadBalancer() != null
            && svc.getStatus().getLoadBalancer().getIngress() != null) {
          for (V1LoadBalancerIngress i : svc.getStatus().getLoadBalancer().getIngress()) {
            String a = present(i.getIp()) ? i.getIp() : i.getHostname();
            if (present(a)) {
              out.add(a);
            }
          }
        }
        out.addAll(externalIps);
      }
      default -> {
        if (!externalIps.isEmpty()) {
          out.addAll(externalIps);
        } else if ("None".equals(clusterIp)) {
          out.addAll(readyAddresses(slices));
        } else if (present(clusterIp)) {
          out.add(clusterIp);
        }
      }
    }
    return List.copyOf(new ArrayList<>(out));
  }

  /** Ready endpoint addresses, sorted (stable across rebuilds and replicas). */
  private static Set<String> readyAddresses(List<V1EndpointSlice> slices) {
    Set<String> out = new TreeSet<>();
    for (V1EndpointSlice s : slices) {
      if (s.getEndpoints() == null) {
        continue;
      }
      for (var e : s.getEndpoints()) {
        boolean ready =
            e.getConditions() == null
                || e.getConditions().getReady() == null
                || e.getConditions().getReady();
        if (ready && e.getAddresses() != null && !e.getAddresses().isEmpty()) {
          out.add(e.getAddresses().get(0));
        }
      }
    }
    return out;
  }

  private static boolean present(@Nullable String s) {
    return s != null && !s.isBlank();
  }

  @Override
  public void close() {
    factory.stopAllRegisteredInformers();
  }
}
