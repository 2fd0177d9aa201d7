package io.gatehouse.bench;

import io.gatehouse.model.RouteSpec;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.Write;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Propagation of one durable write through a three-node cluster: the time from the write's
 * acknowledgement (fsync'd on the writer, in the map with its backups) until every node serves it
 * (it reports the write's generation served, as {@code wait=all} counts). The three nodes run in
 * this JVM on loopback, each a node with its own Hazelcast member, store and router.
 *
 * <p>{@code java -cp bench/jmh/target/benchmarks.jar io.gatehouse.bench.PropagationBench
 * [existingRoutes] [writes] [eventLoops]}
 */
public final class PropagationBench {
  private PropagationBench() {}

  public static void main(String[] args) throws Exception {
    int existing = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int writes = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int loops = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Path data = Files.createTempDirectory("gatehouse-propagation");
    String name = "bench-" + UUID.randomUUID();
    int[] ports = {freePort(), freePort(), freePort()};
    List<String> members = new ArrayList<>();
    for (int p : ports) {
      members.add("127.0.0.1:" + p);
    }
    List<GatehouseNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        NodeConfig c = ClusterNodes.config(data, i, name, members, loops);
        nodes.add(GatehouseNode.start(c, List.of()).await(120, TimeUnit.SECONDS));
      }
      GatehouseNode writer = nodes.get(0);

      List<Write> preload = new ArrayList<>(existing);
      for (RouteSpec r : BenchRoutes.table(existing).routes().values()) {
        preload.add(Write.put(r));
      }
      long gen = ((Outcome.Applied) writer.table().apply(new Batch(preload, true))).generation();
      awaitAll(nodes, gen, Duration.ofSeconds(120));
      System.out.printf(
          "%d nodes (%d event loops each) serve %d existing routes at generation %d%n",
          3, loops, existing, gen);

      // Warm-up: the first writes after start pay for class loading and JIT.
      run(nodes, writer, existing, 200, "warm");
      long[][] r = run(nodes, writer, existing, writes, "w");
      report(existing, writes, "acknowledgement (write returned)", r[0]);
      report(existing, writes, "acknowledgement to served on all 3 nodes", r[1]);
    } finally {
      for (GatehouseNode n : nodes) {
        n.stop().await(30, TimeUnit.SECONDS);
      }
    }
  }

  private static long[][] run(
      List<GatehouseNode> nodes, GatehouseNode writer, int existing, int writes, String prefix)
      throws Exception {
    long[] ack = new long[writes];
    long[] served = new long[writes];
    for (int i = 0; i < writes; i++) {
      RouteSpec r =
          BenchRoutes.table(1)
              .routes()
              .values()
              .iterator()
              .next()
              .withKey(io.gatehouse.model.RouteKey.of("bench", "api", prefix + i))
              .withHosts(List.of(prefix + i + ".new.bench.test"));
      long t0 = System.nanoTime();
      long gen = writer.table().put(r);
      long t1 = System.nanoTime();
      awaitAll(nodes, gen, Duration.ofSeconds(30));
      long t2 = System.nanoTime();
      ack[i] = t1 - t0;
      served[i] = t2 - t1;
    }
    return new long[][] {ack, served};
  }

  private static void awaitAll(List<GatehouseNode> nodes, long generation, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (GatehouseNode n : nodes) {
      while (n.servedGeneration() < generation) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("generation " + generation + " not served in time");
        }
        LockSupport.parkNanos(20_000);
      }
    }
  }

  private static void report(int existing, int writes, String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf(
        "existing=%d writes=%d %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        existing,
        writes,
        what,
        s[s.length / 2] / 1e6,
        s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] / 1e6,
        s[s.length - 1] / 1e6);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }
}
