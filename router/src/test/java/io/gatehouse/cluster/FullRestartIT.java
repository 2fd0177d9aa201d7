package io.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability across a whole-cluster crash: writes acknowledged by the admin API on three node
 * processes, every process killed at once (SIGKILL), all restarted on the same disks. Every
 * acknowledged route is back and no deleted one is.
 */
@Timeout(400)
class FullRestartIT {
  private static final String TOKEN = "itadmin.s3cr3t-s3cr3t-s3cr3t-s3cr3t-0123456789";
  private static final int WRITES = 500;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private ClusterProcesses cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static HttpResponse<String> call(int port, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String route(int i) {
    return "{\"hosts\":[\"r"
        + i
        + ".crash.example\"],\"backend\":{\"protocol\":\"http1\",\"endpoints\":[{\"address\":\"127.0.0.1:9\"}]}}";
  }

  @Test
  void every_acknowledged_write_survives_a_whole_cluster_kill_and_no_delete_is_undone()
      throws Exception {
    cluster = new ClusterProcesses(dir, 3).withAdmin(TOKEN);
    int[] adminPorts = {cluster.adminPort(0), cluster.adminPort(1), cluster.adminPort(2)};
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(cluster.start(i, ""));
    }
    assertThat(
            call(adminPorts[0], "PUT", "/v1/tenants/crash", "{\"displayName\":\"c\"}").statusCode())
        .isIn(200, 201);
    assertThat(
            call(adminPorts[0], "PUT", "/v1/tenants/crash/host-claims/*.crash.example", "{}")
                .statusCode())
        .isIn(200, 201);

    List<Integer> acked = new ArrayList<>();
    List<Integer> deleted = new ArrayList<>();
    for (int i = 0; i < WRITES; i++) {
      int port = adminPorts[i % 3];
      int status = call(port, "PUT", "/v1/tenants/crash/routes/r" + i, route(i)).statusCode();
      assertThat(status).as("write %d", i).isIn(200, 201);
      acked.add(i);
      if (i % 5 == 4) {
        int del = i - 2;
        assertThat(
                call(adminPorts[(i + 1) % 3], "DELETE", "/v1/tenants/crash/routes/r" + del, null)
                    .statusCode())
            .isEqualTo(204);
        acked.remove(Integer.valueOf(del));
        deleted.add(del);
      }
    }
    for (NodeProcess n : nodes) {
      n.kill9();
    }

    List<NodeProcess> back = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      back.add(cluster.start(i, ""));
    }
    ClusterProcesses.awaitOneCluster(back, 3, Duration.ofSeconds(60));
    int found = 0;
    int resurrected = 0;
    for (int i : acked) {
      if (call(adminPorts[i % 3], "GET", "/v1/tenants/crash/routes/r" + i, null).statusCode()
          == 200) {
        found++;
      }
    }
    for (int i : deleted) {
      if (call(adminPorts[i % 3], "GET", "/v1/tenants/crash/routes/r" + i, null).statusCode()
          != 404) {
        resurrected++;
      }
    }
    System.out.printf(
        "full restart: %d acknowledged routes, %d back; %d deleted, %d back%n",
        acked.size(), found, deleted.size(), resurrected);
    assertThat(found).isEqualTo(acked.size());
    assertThat(resurrected).isZero();
  }
}
