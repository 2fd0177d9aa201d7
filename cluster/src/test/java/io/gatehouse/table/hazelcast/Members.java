package io.gatehouse.table.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.gatehouse.table.EntryStore;
import io.gatehouse.table.codec.EntryCodec;
import io.gatehouse.table.store.SqliteEntryStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/** Real Hazelcast members in this JVM, on loopback, with a cluster name of their own. */
final class Members implements AutoCloseable {
  final String clusterName = "test-" + UUID.randomUUID();
  final List<Integer> ports = new ArrayList<>();
  final List<Member> started = new ArrayList<>();

  record Member(HazelcastInstance hz, HazelcastRouteTable table, ExecutorService events) {
    void kill() {
      table.close();
      events.shutdownNow();
      hz.getLifecycleService().terminate();
    }
  }

  Members(int size) {
    while (ports.size() < size) {
      // two random picks may match: one port for two members would leave one of them unstarted
      int p = freePort();
      if (!ports.contains(p)) {
        ports.add(p);
      }
    }
  }

  ClusterSettings settings(int index) {
    List<String> all = new ArrayList<>();
    for (int p : ports) {
      all.add("127.0.0.1:" + p);
    }
    return new ClusterSettings(
        clusterName,
        "127.0.0.1",
        ports.get(index),
        all,
        "",
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        2,
        1);
  }

  /** Starts member {@code index}; {@code dataDir} null keeps nothing on disk. */
  Member start(int index, Path dataDir) {
    return start(settings(index), dataDir);
  }

  /** Starts member {@code index} with one more address in its member list. */
  Member startWithExtraMember(int index, String address) {
    ClusterSettings s = settings(index);
    List<String> all = new ArrayList<>(s.members());
    all.add(address);
    return start(
        new ClusterSettings(
            s.name(),
            s.bindHost(),
            s.port(),
            all,
            "",
            s.heartbeat(),
            s.maxNoHeartbeat(),
            s.backupCount(),
            s.initialMinMembers()),
        null);
  }

  private Member start(ClusterSettings settings, Path dataDir) {
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(HazelcastTableConfig.build(settings));
    ExecutorService events = Executors.newSingleThreadExecutor();
    EntryCodec codec = new EntryCodec();
    EntryStore store = dataDir == null ? EntryStore.NONE : SqliteEntryStore.open(dataDir, codec);
    HazelcastRouteTable table = new HazelcastRouteTable(hz, store, codec, events, "test").start();
    Member m = new Member(hz, table, events);
    started.add(m);
    return m;
  }

  static int freePort() {
    // Not port 0's answer: a port the kernel hands out for port 0 comes from the ephemeral range,
    // where an outgoing connection (a member dialling another, a client) may take it as its
    // source port before the child process binds it ("Address already in use" in AdminClusterIT,
    // 5 Dec 2026). Below that range only listeners take ports.
    int low = 10_000;
    int high = 32_767;
    try {
      String range =
          Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      high = Integer.parseInt(range.split("\\s+")[0]) - 1;
    } catch (IOException | RuntimeException unreadable) {
      // not Linux: keep the default range's bound
    }
    if (high - low < 1_000) {
      // (readAllLines: Files.readString reads a /proc file short, e.g. "3" for "32768 60999")
      low = 1_024;
      high = Math.max(high, 32_767);
    }
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(low, high + 1);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in " + low + "-" + high);
  }

  @Override
  public void close() {
    for (Member m : started) {
      try {
        m.kill();
      } catch (RuntimeException ignored) {
        // Already gone.
      }
    }
  }
}
