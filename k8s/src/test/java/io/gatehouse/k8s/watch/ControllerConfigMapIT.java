package io.gatehouse.k8s.watch;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;
import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.InMemoryRouteTable;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ConfigMap informer against a real API server: the controller ConfigMap's change reaches the
 * routes, a ConfigMap no translation read rebuilds nothing, and a deleted one gives ingress-nginx's
 * defaults.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControllerConfigMapIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NAME = "ingress-nginx-controller";

  @Test
  void the_controller_configmap_is_watched_and_only_its_events_rebuild(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("cm-watch");
    String cls = ingressClass(admin, "cm-watch");
    IngressWatcherIT.service(admin, ns, "web");
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingress(ns, "web", cls, "a.example.test", null))
        .execute();
    CoreV1Api core = new CoreV1Api(admin);
    core.createNamespacedConfigMap(
            ns,
            new V1ConfigMap()
                .metadata(new V1ObjectMeta().name(NAME))
                .data(Map.of("proxy-body-size", "2k")))
        .execute();
    InMemoryRouteTable table = new InMemoryRouteTable();
    IngressWatcherOptions o = IngressWatcherOptions.DEFAULTS;
    o =
        new IngressWatcherOptions(
                List.of(ns),
                "",
                cls,
                o.holdOff(),
                o.maxDelay(),
                o.endpointMapper(),
                IngressTranslator.upstreamPolicy(List.of(), false))
            .withNginxConfigMap(ns + "/" + NAME);
    try (IngressWatcher watcher =
        new IngressWatcher(
            admin,
            o,
            Clock.systemUTC(),
            () -> table.view().hostClaims(),
            List.of(new TableSink(table)))) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(route(table, ns)).isNotNull();
      assertThat(route(table, ns).limits().maxRequestBodyBytes()).isEqualTo(2048);

      // a ConfigMap no translation reads: its event is checked and rebuilds nothing
      core.createNamespacedConfigMap(
              ns,
              new V1ConfigMap()
                  .metadata(new V1ObjectMeta().name("dashboards"))
                  .data(Map.of("a.json", "{}")))
          .execute();
      await("unrelated event seen").atMost(WAIT).until(() -> watcher.configMapEvents() >= 1);
      assertThat(watcher.configMapRebuilds()).isZero();

      V1ConfigMap cm = core.readNamespacedConfigMap(NAME, ns).execute();
      core.replaceNamespacedConfigMap(NAME, ns, cm.data(Map.of("proxy-body-size", "3k"))).execute();
      await("the new default")
          .atMost(WAIT)
          .until(() -> route(table, ns).limits().maxRequestBodyBytes() == 3072);
      assertThat(watcher.configMapRebuilds()).isEqualTo(1);
      assertThat(watcher.configMapEvents()).isGreaterThan(watcher.configMapRebuilds());

      core.deleteNamespacedConfigMap(NAME, ns).execute();
      await("ingress-nginx's default once it is gone")
          .atMost(WAIT)
          .until(() -> route(table, ns).limits().maxRequestBodyBytes() == 1024 * 1024);
    }
  }

  private static @Nullable RouteSpec route(InMemoryRouteTable table, String ns) {
    return table.view().routes().get(RouteKey.of(ns, "k8s", "web.r0.p0"));
  }
}
