package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Write;
import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TlsRouteArrivalIT} on a two-member cluster: TLS hosts written on one member enter the
 * served state of both only together with their certificates. Every member applies the table's
 * generations in order and binds certificates and compiles snapshots from the same views, so the
 * same instant-by-instant invariant is watched on both: never a snapshot routing a new host while
 * the certificate index answers its SNI name with the default certificate.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusteredTlsRouteArrivalIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int HOSTS = 12;

  @Test
  void hosts_written_on_one_member_enter_every_member_with_their_certificates() throws Exception {
    String cluster = "tls-arrival-" + UUID.randomUUID();
    int first = ClusterProcesses.freePort();
    int second = ClusterProcesses.freePort();
    while (second == first) {
      second = ClusterProcesses.freePort();
    }
    List<String> members = List.of("127.0.0.1:" + first, "127.0.0.1:" + second);
    List<GatehouseNode> nodes = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicBoolean running = new AtomicBoolean(true);
    try {
      for (int port : List.of(first, second)) {
        NodeConfig c =
            NodeFixture.testConfig()
                .withTls(
                    new NodeConfig.Tls(
                        true,
                        "127.0.0.1",
                        0,
                        "",
                        "",
                        NodeConfig.Tls.Engine.JDK,
                        Duration.ofSeconds(2)))
                .withCluster(
                    new NodeConfig.Cluster(
                        true,
                        cluster,
                        "127.0.0.1",
                        port,
                        members,
                        "",
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        1,
                        1));
        nodes.add(GatehouseNode.start(c, List.of()).await(WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      await("both members")
          .atMost(WAIT)
          .until(() -> nodes.stream().allMatch(n -> n.table().members().size() == 2));
      AtomicReference<String> current = new AtomicReference<>();
      Set<String> states = Collections.synchronizedSet(new LinkedHashSet<>());
      List<Future<?>> probes = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        GatehouseNode n = nodes.get(i);
        String member = "member " + i;
        probes.add(
            pool.submit(
                () -> {
                  while (running.get()) {
                    String host = current.get();
                    RouteSnapshot s1 = n.snapshots().get();
                    CertificateIndex index = n.certificates();
                    RouteSnapshot s2 = n.snapshots().get();
                    if (host != null
                        && s1 == s2
                        && routes(s1, host)
                        && index.lookup(host) == index.defaultCertificate()
                        && states.size() < 20) {
                      states.add(
                          member
                              + ": generation "
                              + s1.generation()
                              + " routes "
                              + host
                              + ", SNI gets default");
                    }
                    Thread.onSpinWait();
                  }
                  return null;
                }));
      }
      GatehouseNode writer = nodes.get(0);
      for (int i = 0; i < HOSTS; i++) {
        String host = "c" + i + ".acme.example";
        CertificateSpec cert = TestCertificates.spec("acme", "c" + i, host);
        RouteSpec route = route("c" + i, host, "c" + i);
        current.set(host);
        if (i % 2 == 0) {
          writer.table().apply(Batch.of(Write.put(cert), Write.put(route)));
        } else {
          writer.table().apply(Batch.of(Write.put(cert)));
          writer.table().apply(Batch.of(Write.put(route)));
        }
        await("every member routes " + host)
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> nodes.stream().allMatch(n -> routes(n.snapshots().get(), host)));
        for (int m = 0; m < nodes.size(); m++) {
          CertificateIndex index = nodes.get(m).certificates();
          assertThat(index.lookup(host))
              .as("member %d routes %s; its certificate index answers its SNI name with", m, host)
              .isNotSameAs(index.defaultCertificate());
        }
      }
      running.set(false);
      for (Future<?> f : probes) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(states).as("a member routing a host whose SNI name gets the default").isEmpty();
    } finally {
      running.set(false);
      pool.shutdownNow();
      for (GatehouseNode n : nodes) {
        n.stop().await(60, TimeUnit.SECONDS);
      }
    }
  }

  private static RouteSpec route(String name, String host, String certificate) {
    return NodeFixture.valid(
        RouteSpec.simple(
                RouteKey.of("acme", "api", name),
                List.of(host),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9))))
            .withTls(TlsSpec.of(List.of(host), certificate)));
  }

  private static boolean routes(RouteSnapshot s, String host) {
    if (s == null) {
      return false;
    }
    for (CompiledRoute r : s.routes()) {
      if (r.spec().hosts().contains(host)) {
        return true;
      }
    }
    return false;
  }
}
