package io.gatehouse.table.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.gatehouse.table.EntryStore;
import io.gatehouse.table.codec.EntryCodec;
import io.gatehouse.table.store.SqliteEntryStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
    for (int i = 0; i < size; i++) {
      ports.add(freePort());
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
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
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
