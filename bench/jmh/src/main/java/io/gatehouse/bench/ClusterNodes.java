package io.gatehouse.bench;

import io.gatehouse.node.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The configuration of one node of the benches' in-JVM clusters, on loopback. */
final class ClusterNodes {
  private ClusterNodes() {}

  /**
   * Node {@code i} of {@code members} ({@code 127.0.0.1:port} each): HTTP and status on port 0, its
   * store under {@code data}, admin API off, 1 s heartbeat and 5 s to declare a member dead.
   */
  static NodeConfig config(Path data, int i, String cluster, List<String> members, int loops) {
    String self = members.get(i);
    int port = Integer.parseInt(self.substring(self.lastIndexOf(':') + 1));
    return NodeConfig.DEFAULTS
        .withHttp(new NodeConfig.Listener("127.0.0.1", 0))
        .withStatus(new NodeConfig.Listener("127.0.0.1", 0))
        .withEventLoops(loops)
        .withLog(new NodeConfig.Log("warn", false))
        .withShutdown(new NodeConfig.Shutdown(Duration.ZERO, Duration.ofSeconds(1)))
        .withStore(new NodeConfig.Store(data.resolve("node" + i).toString()))
        .withAdmin(NodeConfig.Admin.DEFAULTS.withEnabled(false))
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
                2,
                1));
  }
}
