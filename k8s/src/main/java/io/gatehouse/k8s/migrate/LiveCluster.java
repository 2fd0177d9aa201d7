package io.gatehouse.k8s.migrate;

import io.gatehouse.k8s.translate.ClusterState;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A live cluster, read-only: Ingresses and IngressClasses are listed once; the Services,
 * EndpointSlices, Secrets and ConfigMaps the translator asks for are fetched one by one (get, or
 * list by label for slices) and remembered, so no more is read than the report needs. Nothing is
 * ever written. A Secret's data is only handed to the translator, never printed.
 */
final class LiveCluster implements ClusterState {
  /** What the report is made of cannot be read: the API refused or failed. */
  static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final CoreV1Api core;
  private final DiscoveryV1Api discovery;
  private final List<V1IngressClass> classes;
  private final List<V1Ingress> ingresses;
  private final Map<String, Optional<V1Service>> services = new ConcurrentHashMap<>();
  private final Map<String, Optional<V1Secret>> secrets = new ConcurrentHashMap<>();
  private final Map<String, Optional<V1ConfigMap>> configMaps = new ConcurrentHashMap<>();
  private final Map<String, List<V1EndpointSlice>> slices = new ConcurrentHashMap<>();

  private LiveCluster(ApiClient client, @Nullable String namespace) throws MigrateException {
    core = new CoreV1Api(client);
    discovery = new DiscoveryV1Api(client);
    NetworkingV1Api net = new NetworkingV1Api(client);
    try {
      classes = net.listIngressClass().execute().getItems();
      ingresses =
          namespace == null
              ? net.listIngressForAllNamespaces().execute().getItems()
              : net.listNamespacedIngress(namespace).execute().getItems();
    } catch (ApiException e) {
      throw new MigrateException("cannot list Ingresses: " + reason(e), e);
    }
  }

  /**
   * The cluster's objects as a report input.
   *
   * @param source how the report names the cluster
   * @param configMap the controller ConfigMap as {@code namespace/name}; null for none
   */
  static MigrationInput read(
      ApiClient client, String source, @Nullable String namespace, @Nullable String configMap)
      throws MigrateException {
    LiveCluster cluster = new LiveCluster(client, namespace);
    V1ConfigMap controller = null;
    if (configMap != null) {
      int slash = configMap.indexOf('/');
      if (slash <= 0 || slash == configMap.length() - 1) {
        throw new MigrateException("--configmap " + configMap + ": expected namespace/name");
      }
      try {
        controller =
            cluster
                .configMap(configMap.substring(0, slash), configMap.substring(slash + 1))
                .orElseThrow(
                    () -> new MigrateException("--configmap " + configMap + ": not found"));
      } catch (Unreadable e) {
        throw new MigrateException(String.valueOf(e.getMessage()), e);
      }
    }
    return new MigrationInput(source, cluster, Map.of(), true, true, controller, List.of());
  }

  /**
   * A client for {@code kubeconfig} (its {@code context}, or the current one); reads time out after
   * 30 s so an unreachable cluster ends the command.
   */
  static ApiClient client(Path kubeconfig, @Nullable String context) throws MigrateException {
    try (Reader r = Files.newBufferedReader(kubeconfig, StandardCharsets.UTF_8)) {
      KubeConfig config = KubeConfig.loadKubeConfig(r);
      config.setFile(kubeconfig.toFile());
      if (context != null && !config.setContext(context)) {
        throw new MigrateException(kubeconfig + ": no context " + context);
      }
      return ClientBuilder.kubeconfig(config).setReadTimeout(Duration.ofSeconds(30)).build();
    } catch (IOException | RuntimeException e) {
      throw new MigrateException(kubeconfig + ": cannot load the kubeconfig: " + e.getMessage(), e);
    }
  }

  @Override
  public List<V1IngressClass> ingressClasses() {
    return classes;
  }

  @Override
  public List<V1Ingress> ingresses() {
    return ingresses;
  }

  @Override
  public Optional<V1Service> service(String namespace, String name) {
    return services.computeIfAbsent(
        namespace + "/" + name,
        k -> get("Service " + k, () -> core.readNamespacedService(name, namespace).execute()));
  }

  @Override
  public List<V1EndpointSlice> endpointSlices(String namespace, String service) {
    return slices.computeIfAbsent(
        namespace + "/" + service,
        k -> {
          try {
            return discovery
                .listNamespacedEndpointSlice(namespace)
                .labelSelector("kubernetes.io/service-name=" + service)
                .execute()
                .getItems();
          } catch (ApiException e) {
            throw new Unreadable("cannot list the EndpointSlices of " + k + ": " + reason(e), e);
          }
        });
  }

  @Override
  public Optional<V1Secret> secret(String namespace, String name) {
    return secrets.computeIfAbsent(
        namespace + "/" + name,
        k -> get("Secret " + k, () -> core.readNamespacedSecret(name, namespace).execute()));
  }

  @Override
  public Optional<V1ConfigMap> configMap(String namespace, String name) {
    return configMaps.computeIfAbsent(
        namespace + "/" + name,
        k -> get("ConfigMap " + k, () -> core.readNamespacedConfigMap(name, namespace).execute()));
  }

  private interface Call<T> {
    T call() throws ApiException;
  }

  /** The object, empty when the API says 404; any other failure cannot be reported around. */
  private static <T> Optional<T> get(String what, Call<T> call) {
    try {
      return Optional.of(call.call());
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw new Unreadable("cannot read " + what + ": " + reason(e), e);
    }
  }

  private static String reason(ApiException e) {
    if (e.getCode() == 0) {
      Throwable c = e.getCause();
      return c instanceof UncheckedIOException || c instanceof IOException
          ? String.valueOf(c.getMessage())
          : String.valueOf(e.getMessage());
    }
    return "HTTP " + e.getCode() + (e.getCode() == 403 ? " (forbidden: RBAC needs get/list)" : "");
  }
}
