package io.gatehouse.node;

import io.gatehouse.table.hazelcast.ClusterSettings;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;

/** Turns the node's cluster settings into the table's, and gives the table its Vert.x context. */
final class ClusterWiring {
  private ClusterWiring() {}

  static ClusterSettings settings(NodeConfig.Cluster c) {
    return new ClusterSettings(
        c.name(),
        c.host(),
        c.port(),
        c.members(),
        c.kubernetesService(),
        c.heartbeat(),
        c.maxNoHeartbeat(),
        c.backupCount(),
        c.initialMinMembers());
  }

  /**
   * An executor on a Vert.x worker context of its own: Hazelcast's callbacks run there one at a
   * time, in order, and may block on the disk without holding an event loop.
   */
  static Future<Executor> tableContext(Vertx vertx) {
    Holder holder = new Holder();
    return vertx
        .deployVerticle(holder, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .map(
            id -> {
              Context ctx = holder.context();
              return (Executor) task -> ctx.runOnContext(v -> task.run());
            });
  }

  private static final class Holder extends VerticleBase {
    Context context() {
      return context;
    }
  }
}
