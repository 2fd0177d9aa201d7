package io.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.ListeningSockets;
import io.gatehouse.testing.NodeProcess;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clustered node process listens where it was configured to and nowhere else: no clustered Vert.x
 * event bus (no code uses one, and it has no authentication), and no wildcard bind for an address
 * configured as loopback (Hazelcast binds every interface unless told not to).
 */
@Timeout(300)
class NodeListenersIT {
  @TempDir Path dir;

  @Test
  void a_clustered_node_listens_only_on_the_configured_addresses() throws Exception {
    try (ClusterProcesses cluster =
        new ClusterProcesses(dir, 1)
            .withAdmin("listenersit.s3cr3t-s3cr3t-s3cr3t-s3cr3t-0123456789")) {
      NodeProcess node = cluster.start(0, "tls: {enabled: true, host: 127.0.0.1, port: 0}\n");
      JsonObject started =
          new JsonObject(
              node.lines().stream()
                  .filter(l -> l.contains("\"gatehouse started\""))
                  .findFirst()
                  .orElseThrow());
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      Set<InetSocketAddress> configured =
          Set.of(
              new InetSocketAddress(loopback, started.getInteger("httpPort")),
              new InetSocketAddress(loopback, started.getInteger("httpsPort")),
              new InetSocketAddress(loopback, started.getInteger("statusPort")),
              new InetSocketAddress(loopback, started.getInteger("adminPort")),
              new InetSocketAddress(loopback, cluster.port(0)));

      Set<InetSocketAddress> listening = ListeningSockets.of(node.pid());

      assertThat(listening).as("the node's listeners").containsAll(configured);
      Set<InetSocketAddress> others = new HashSet<>(listening);
      others.removeAll(configured);
      // One more, documented: the built-in default backend, on loopback, answering its 404 page.
      assertThat(others).as("listeners nobody configured, of %s", listening).hasSize(1);
      InetSocketAddress fallback = others.iterator().next();
      assertThat(fallback.getAddress()).isEqualTo(loopback);
      assertThat(status(fallback)).isEqualTo(404);
    }
  }

  private static int status(InetSocketAddress at) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return client
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
