package io.gatehouse.k8s.watch;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;
import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.k8s.watch.IngressWatcherIT.service;
import static io.gatehouse.k8s.watch.IngressWatcherIT.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.table.InMemoryRouteTable;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ingress status, Warning events and Lease leadership against the real API server. */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusEventsLeaseIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void status_carries_the_address_and_an_unknown_class_gets_none(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("status");
    String cls = ingressClass(admin, "status");
    service(admin, ns, "web");
    slice(admin, ns, "web", "192.0.2.1");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingress(ns, "ours", cls, "a.example.test", null)).execute();
    net.createNamespacedIngress(ns, ingress(ns, "theirs", "no-such-class", "b.example.test", null))
        .execute();

    InMemoryRouteTable table = new InMemoryRouteTable();
    StatusWriter status =
        new StatusWriter(admin, () -> true, List.of("192.0.2.10", "lb.example.test"));
    try (IngressWatcher watcher = watcher(admin, ns, cls, table, status)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await("status written")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(addresses(net.readNamespacedIngress("ours", ns).execute()))
                      .containsExactly(
                          new V1IngressLoadBalancerIngress().ip("192.0.2.10"),
                          new V1IngressLoadBalancerIngress().hostname("lb.example.test")));
      assertThat(addresses(net.readNamespacedIngress("theirs", ns).execute())).isEmpty();
      assertThat(table.view().routes().keySet())
          .allSatisfy(k -> assertThat(k.name()).startsWith("ours."));
    }
  }

  @Test
  void problems_become_warning_events_once(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("events");
    String other = server.createNamespace("events-late");
    String cls = ingressClass(admin, "events");
    service(admin, ns, "web");
    slice(admin, ns, "web", "192.0.2.1");
    service(admin, other, "web");
    slice(admin, other, "web", "192.0.2.2");
    TestCertificates.Pair pair = TestCertificates.selfSigned(List.of("a.example.test"));
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("a-tls"))
                .type("kubernetes.io/tls")
                .data(
                    Map.of(
                        "tls.crt", pair.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        "tls.key", pair.keyPem().getBytes(StandardCharsets.US_ASCII))))
        .execute();
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress web = ingress(ns, "web", cls, "a.example.test", "a-tls");
    web.getSpec()
        .tls(
            List.of(
                new V1IngressTLS()
                    .hosts(List.of("a.example.test", "uncovered.example.test"))
                    .secretName("a-tls")));
    web.getSpec()
        .rules(
            List.of(
                web.getSpec().getRules().get(0),
                ingress(ns, "x", cls, "uncovered.example.test", null).getSpec().getRules().get(0)));
    net.createNamespacedIngress(ns, web).execute();
    // created later, so younger: it loses a.example.test
    net.createNamespacedIngress(other, ingress(other, "grab", cls, "a.example.test", null))
        .execute();

    InMemoryRouteTable table = new InMemoryRouteTable();
    ProblemEvents events = new ProblemEvents(admin, () -> true, "test", Clock.systemUTC());
    try (IngressWatcher watcher = watcher(admin, "", cls, table, events)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await("warning on the uncovered host")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(warnings(admin, ns, "web"))
                      .anySatisfy(
                          e -> {
                            assertThat(e.getReason()).isEqualTo("TlsHostNotCovered");
                            assertThat(e.getMessage())
                                .contains("uncovered.example.test")
                                .contains(ns + "/a-tls");
                          }));
      await("warning on the losing namespace")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(warnings(admin, other, "grab"))
                      .singleElement()
                      .satisfies(e -> assertThat(e.getReason()).isEqualTo("HostConflict")));
      long before = watcher.rebuilds();
      watcher.poke();
      await("another rebuild").atMost(WAIT).until(() -> watcher.rebuilds() > before);
      assertThat(warnings(admin, ns, "web")).hasSize(1);
      assertThat(warnings(admin, other, "grab")).hasSize(1);
    }
  }

  @Test
  void one_leader_at_a_time_and_a_quick_handover_on_release(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("lease");
    AtomicBoolean aSaw = new AtomicBoolean();
    LeaseLeadership a = lease(admin, ns, "a", aSaw);
    LeaseLeadership b = lease(admin, ns, "b", new AtomicBoolean());
    try {
      a.start();
      await("a leads").atMost(WAIT).until(a::isLeader);
      b.start();
      // b keeps seeing a's renewals, so it never takes over while a lives
      await("b stays a follower")
          .during(Duration.ofMillis(1500))
          .atMost(WAIT)
          .until(() -> a.isLeader() && !b.isLeader());
      long released = System.nanoTime();
      a.close();
      await("b leads").atMost(WAIT).until(b::isLeader);
      // released, not expired: well under the 3 s lease
      assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(3));
      assertThat(aSaw).isFalse();
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void a_crashed_leader_is_replaced_after_one_lease(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("lease-crash");
    LeaseLeadership a = lease(admin, ns, "a", new AtomicBoolean());
    LeaseLeadership b = lease(admin, ns, "b", new AtomicBoolean());
    try {
      a.start();
      await("a leads").atMost(WAIT).until(a::isLeader);
      b.start();
      await("b follows").during(Duration.ofMillis(500)).atMost(WAIT).until(() -> !b.isLeader());
      long crashed = System.nanoTime();
      a.abandon();
      await("b leads").atMost(WAIT).until(b::isLeader);
      Duration failover = Duration.ofNanos(System.nanoTime() - crashed);
      // b waits for the record to stay unchanged one whole lease (3 s) by its own clock
      assertThat(failover).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(6));
      System.out.println("lease failover after a crashed leader: " + failover.toMillis() + " ms");
    } finally {
      a.close();
      b.close();
    }
  }

  private static LeaseLeadership lease(ApiClient admin, String ns, String id, AtomicBoolean last) {
    return new LeaseLeadership(
        admin,
        ns,
        "gatehouse-leader",
        id,
        Duration.ofSeconds(3),
        Duration.ofSeconds(2),
        Duration.ofMillis(200),
        last::set);
  }

  private static IngressWatcher watcher(
      ApiClient client, String ns, String cls, InMemoryRouteTable table, TranslationSink sink) {
    IngressWatcherOptions o = IngressWatcherOptions.DEFAULTS;
    o =
        new IngressWatcherOptions(
            ns.isEmpty() ? List.of() : List.of(ns),
            "",
            cls,
            o.holdOff(),
            o.maxDelay(),
            o.endpointMapper());
    return new IngressWatcher(
        client,
        o,
        Clock.systemUTC(),
        () -> table.view().hostClaims(),
        List.of(new TableSink(table), sink));
  }

  private static List<V1IngressLoadBalancerIngress> addresses(V1Ingress i) {
    if (i.getStatus() == null
        || i.getStatus().getLoadBalancer() == null
        || i.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return i.getStatus().getLoadBalancer().getIngress();
  }

  private static List<CoreV1Event> warnings(ApiClient admin, String ns, String ingress)
      throws Exception {
    return new CoreV1Api(admin)
        .listNamespacedEvent(ns)
        .fieldSelector(
            "involvedObject.kind=Ingress,involvedObject.name=" + ingress + ",type=Warning")
        .execute()
        .getItems();
  }
}
