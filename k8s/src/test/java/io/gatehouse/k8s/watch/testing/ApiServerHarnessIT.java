package io.gatehouse.k8s.watch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressList;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The harness against the real kube-apiserver: CRUD, informers, status, RBAC, kubectl. */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApiServerHarnessIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void server_reports_the_version_that_was_built(ApiServerHarness server) throws ApiException {
    String expected =
        "v"
            + System.getProperty(
                "gatehouse.envtest.k8sVersion", ApiServerHarness.DEFAULT_K8S_VERSION);
    assertThat(new VersionApi(server.adminClient()).getCode().execute().getGitVersion())
        .isEqualTo(expected);
    assertThat(server.startupTime()).isPositive();
  }

  @Test
  void creates_and_lists_ingresses_and_endpoint_slices_in_a_fresh_namespace(ApiServerHarness server)
      throws ApiException {
    String ns = server.createNamespace("crud");
    NetworkingV1Api networking = new NetworkingV1Api(server.adminClient());
    DiscoveryV1Api discovery = new DiscoveryV1Api(server.adminClient());

    networking.createNamespacedIngress(ns, ingress("web", "app.example.test")).execute();
    // A documentation address (RFC 5737): stored, never contacted. The API server refuses loopback
    // endpoints, so tests that proxy to real endpoints cannot take them from an EndpointSlice as
    // is.
    discovery
        .createNamespacedEndpointSlice(ns, endpointSlice("web-1", "web", "192.0.2.10"))
        .execute();
    assertThatThrownBy(
            () ->
                discovery
                    .createNamespacedEndpointSlice(ns, endpointSlice("web-2", "web", "127.0.0.1"))
                    .execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getResponseBody()).contains("may not be in the loopback range");
            });

    V1IngressList ingresses = networking.listNamespacedIngress(ns).execute();
    assertThat(ingresses.getItems())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getMetadata().getName()).isEqualTo("web");
              assertThat(i.getSpec().getRules().get(0).getHost()).isEqualTo("app.example.test");
            });
    assertThat(ingresses.getMetadata().getResourceVersion()).isNotBlank();

    V1EndpointSliceList slices =
        discovery
            .listNamespacedEndpointSlice(ns)
            .labelSelector("kubernetes.io/service-name=web")
            .execute();
    assertThat(slices.getItems())
        .singleElement()
        .satisfies(
            s -> assertThat(s.getEndpoints().get(0).getAddresses()).containsExactly("192.0.2.10"));
  }

  @Test
  void informer_sees_an_add_and_an_update(ApiServerHarness server) throws ApiException {
    String ns = server.createNamespace("informer");
    ApiClient client = server.adminClient();
    NetworkingV1Api networking = new NetworkingV1Api(client);
    List<String> events = new CopyOnWriteArrayList<>();

    SharedInformerFactory factory = new SharedInformerFactory(client);
    try {
      SharedIndexInformer<V1Ingress> informer =
          factory.sharedIndexInformerFor(
              new GenericKubernetesApi<>(
                  V1Ingress.class,
                  V1IngressList.class,
                  "networking.k8s.io",
                  "v1",
                  "ingresses",
                  client),
              V1Ingress.class,
              0L,
              ns);
      informer.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(V1Ingress obj) {
              events.add("add " + obj.getMetadata().getName() + " " + host(obj));
            }

            @Override
            public void onUpdate(V1Ingress oldObj, V1Ingress newObj) {
              events.add("update " + newObj.getMetadata().getName() + " " + host(newObj));
            }

            @Override
            public void onDelete(V1Ingress obj, boolean finalStateUnknown) {
              events.add("delete " + obj.getMetadata().getName());
            }
          });
      factory.startAllRegisteredInformers();
      await("informer sync").atMost(WAIT).until(informer::hasSynced);

      networking.createNamespacedIngress(ns, ingress("web", "a.example.test")).execute();
      await("add event").atMost(WAIT).until(() -> events.contains("add web a.example.test"));

      V1Ingress current = networking.readNamespacedIngress("web", ns).execute();
      current.getSpec().getRules().get(0).setHost("b.example.test");
      networking.replaceNamespacedIngress("web", ns, current).execute();
      await("update event").atMost(WAIT).until(() -> events.contains("update web b.example.test"));

      assertThat(informer.getIndexer().getByKey(ns + "/web"))
          .extracting(ApiServerHarnessIT::host)
          .isEqualTo("b.example.test");
    } finally {
      factory.stopAllRegisteredInformers();
    }
  }

  @Test
  void ingress_status_is_written_only_through_the_status_subresource(ApiServerHarness server)
      throws ApiException {
    String ns = server.createNamespace("status");
    NetworkingV1Api networking = new NetworkingV1Api(server.adminClient());
    V1Ingress created =
        networking
            .createNamespacedIngress(
                ns, ingress("web", "app.example.test").status(loadBalancer("ignored.test")))
            .execute();
    assertThat(lbHostnames(created)).as("status is dropped on create").isEmpty();

    V1Ingress withStatus = created.status(loadBalancer("lb.gatehouse.test"));
    networking.replaceNamespacedIngressStatus("web", ns, withStatus).execute();
    assertThat(lbHostnames(networking.readNamespacedIngress("web", ns).execute()))
        .containsExactly("lb.gatehouse.test");

    // A write of the main resource does not touch status.
    V1Ingress current = networking.readNamespacedIngress("web", ns).execute();
    current.status(loadBalancer("overwritten.test"));
    current.getMetadata().putLabelsItem("touched", "yes");
    networking.replaceNamespacedIngress("web", ns, current).execute();
    V1Ingress after = networking.readNamespacedIngress("web", ns).execute();
    assertThat(after.getMetadata().getLabels()).containsEntry("touched", "yes");
    assertThat(lbHostnames(after)).containsExactly("lb.gatehouse.test");
  }

  @Test
  void service_account_is_forbidden_until_rbac_grants_it_while_admin_may_list(
      ApiServerHarness server) throws ApiException {
    String ns = server.createNamespace("rbac");
    CoreV1Api core = new CoreV1Api(server.adminClient());
    core.createNamespacedServiceAccount(
            ns, new V1ServiceAccount().metadata(new V1ObjectMeta().name("watcher")))
        .execute();
    NetworkingV1Api asServiceAccount =
        new NetworkingV1Api(server.serviceAccountClient(ns, "watcher"));

    assertThatThrownBy(() -> asServiceAccount.listIngressForAllNamespaces().execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThat(new NetworkingV1Api(server.adminClient()).listIngressForAllNamespaces().execute())
        .isNotNull();

    // Grant exactly list/watch on ingresses; the authorizer picks the binding up within seconds.
    RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(server.adminClient());
    String role = ns + "-ingress-reader";
    rbac.createClusterRole(
            new V1ClusterRole()
                .metadata(new V1ObjectMeta().name(role))
                .rules(
                    List.of(
                        new V1PolicyRule()
                            .apiGroups(List.of("networking.k8s.io"))
                            .resources(List.of("ingresses"))
                            .verbs(List.of("list", "watch")))))
        .execute();
    rbac.createClusterRoleBinding(
            new V1ClusterRoleBinding()
                .metadata(new V1ObjectMeta().name(role))
                .roleRef(
                    new V1RoleRef()
                        .apiGroup("rbac.authorization.k8s.io")
                        .kind("ClusterRole")
                        .name(role))
                .subjects(
                    List.of(
                        new RbacV1Subject().kind("ServiceAccount").name("watcher").namespace(ns))))
        .execute();
    await("RBAC grant takes effect")
        .atMost(WAIT)
        .ignoreExceptionsMatching(e -> e instanceof ApiException a && a.getCode() == 403)
        .until(() -> asServiceAccount.listIngressForAllNamespaces().execute() != null);
    assertThatThrownBy(
            () ->
                new DiscoveryV1Api(asServiceAccount.getApiClient())
                    .listEndpointSliceForAllNamespaces()
                    .execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }

  @Test
  void kubectl_validates_manifests_against_the_server(ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("kubectl");
    Path good = Files.createTempFile(server.runDirectory(), "good-", ".yaml");
    Files.writeString(good, manifest("Prefix"));
    Path bad = Files.createTempFile(server.runDirectory(), "bad-", ".yaml");
    Files.writeString(bad, manifest("Sideways"));

    ApiServerHarness.CommandResult ok =
        server.kubectl(WAIT, "apply", "--dry-run=server", "-n", ns, "-f", good.toString());
    assertThat(ok.exitCode()).as(ok.output()).isZero();
    assertThat(ok.output()).contains("created (server dry run)");

    ApiServerHarness.CommandResult rejected =
        server.kubectl(WAIT, "apply", "--dry-run=server", "-n", ns, "-f", bad.toString());
    assertThat(rejected.exitCode()).isNotZero();
    assertThat(rejected.output()).contains("Unsupported value: \"Sideways\"");
  }

  private static String manifest(String pathType) {
    return String.join(
        "\n",
        "apiVersion: networking.k8s.io/v1",
        "kind: Ingress",
        "metadata:",
        "  name: web",
        "spec:",
        "  rules:",
        "  - host: app.example.test",
        "    http:",
        "      paths:",
        "      - path: /",
        "        pathType: " + pathType,
        "        backend:",
        "          service:",
        "            name: web",
        "            port:",
        "              number: 80",
        "");
  }

  private static V1Ingress ingress(String name, String host) {
    return new V1Ingress()
        .metadata(new V1ObjectMeta().name(name))
        .spec(
            new V1IngressSpec()
                .rules(
                    List.of(
                        new V1IngressRule()
                            .host(host)
                            .http(
                                new V1HTTPIngressRuleValue()
                                    .paths(
                                        List.of(
                                            new V1HTTPIngressPath()
                                                .path("/")
                                                .pathType("Prefix")
                                                .backend(
                                                    new V1IngressBackend()
                                                        .service(
                                                            new V1IngressServiceBackend()
                                                                .name(name)
                                                                .port(
                                                                    new V1ServiceBackendPort()
                                                                        .number(80))))))))));
  }

  private static V1EndpointSlice endpointSlice(String name, String service, String address) {
    return new V1EndpointSlice()
        .metadata(
            new V1ObjectMeta().name(name).labels(Map.of("kubernetes.io/service-name", service)))
        .addressType("IPv4")
        .endpoints(
            List.of(
                new V1Endpoint()
                    .addresses(List.of(address))
                    .conditions(new V1EndpointConditions().ready(true))))
        .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")));
  }

  private static V1IngressStatus loadBalancer(String hostname) {
    return new V1IngressStatus()
        .loadBalancer(
            new V1IngressLoadBalancerStatus()
                .ingress(List.of(new V1IngressLoadBalancerIngress().hostname(hostname))));
  }

  private static List<String> lbHostnames(V1Ingress ingress) {
    if (ingress.getStatus() == null
        || ingress.getStatus().getLoadBalancer() == null
        || ingress.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return ingress.getStatus().getLoadBalancer().getIngress().stream()
        .map(V1IngressLoadBalancerIngress::getHostname)
        .filter(Objects::nonNull)
        .toList();
  }

  private static String host(V1Ingress ingress) {
    return ingress.getSpec().getRules().get(0).getHost();
  }
}
