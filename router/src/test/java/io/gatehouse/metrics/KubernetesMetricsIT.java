package io.gatehouse.metrics;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.node.KubeNodeFixture;
import io.gatehouse.node.KubeNodeFixture.Running;
import io.gatehouse.testing.RawHttp;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Kubernetes watch's state on {@code /metrics} of a node against a real API server. */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KubernetesMetricsIT {
  private static KubeNodeFixture fx;

  @BeforeAll
  static void start() {
    fx = new KubeNodeFixture();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void a_synced_watch_is_one_with_no_errors_and_its_rebuilds_counted(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("metrics-watch");
    String cls = ingressClass(server.adminClient(), "metrics-watch");
    try (Running node = fx.node(server, ns, cls)) {
      Scrape s =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      new Scrape(
                          RawHttp.exchange(
                                  node.node().statusPort(),
                                  "GET /metrics HTTP/1.1\r\nHost: status\r\n\r\n")
                              .body()),
                  x -> Double.valueOf(1.0).equals(x.value("gatehouse_kubernetes_synced")));
      assertThat(s.value("gatehouse_kubernetes_watch_errors")).isEqualTo(0.0);
      assertThat(s.value("gatehouse_kubernetes_leader")).isEqualTo(1.0);
      assertThat(s.value("gatehouse_kubernetes_rebuilds_total", "source", "kubernetes"))
          .isGreaterThanOrEqualTo(1.0);
    }
  }
}
