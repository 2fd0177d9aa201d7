package io.gatehouse.bench;

import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.table.TableView;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Retained heap of a table view, of its snapshot (routes and matchers; the endpoints live in the
 * node's endpoint index) and of a compiler (the snapshot plus the endpoint index), per 10,000
 * routes, measured as the used-heap delta after full GCs (no agent needed). Run with a
 * stop-the-world collector for stable numbers: {@code java -XX:+UseSerialGC -cp
 * bench/jmh/target/benchmarks.jar io.gatehouse.bench.SnapshotHeap}. Also checks that a snapshot
 * built by 1,000 incremental compiles retains no more than a full one (no chain of old snapshots
 * kept alive through shared levels).
 */
public final class SnapshotHeap {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  // Held in statics so that no local variable keeps anything alive between measurements.
  private static TableView view;
  private static RouteSnapshot snapshot;
  private static SnapshotCompiler compiler;

  private SnapshotHeap() {}

  public static void main(String[] args) {
    for (int routes : new int[] {10_000, 100_000}) {
      double per10k = 10_000.0 / routes;
      long empty = used();
      view = BenchRoutes.table(routes);
      long withView = used();
      snapshot = SnapshotCompiler.compile(view);
      long withSnapshot = used();
      snapshot = null;
      compiler = new SnapshotCompiler();
      compiler.rebuild(view);
      compiler.afterPublish();
      long withCompiler = used();
      compiler = null;
      view = null;

      incrementalChain(routes);
      long chainAll = used();
      snapshot = null;
      long chainView = used();

      System.out.printf(
          "%,d routes, MB per 10,000 routes: view %.2f, snapshot %.2f, compiler (snapshot +"
              + " endpoint index) %.2f; snapshot after 1,000 incremental compiles %.2f%n",
          routes,
          (withView - empty) * per10k / 1e6,
          (withSnapshot - withView) * per10k / 1e6,
          (withCompiler - withView) * per10k / 1e6,
          (chainAll - chainView) * per10k / 1e6);
      view = null;
    }
  }

  /** 1,000 one-route changes compiled incrementally; leaves the last view and snapshot held. */
  private static void incrementalChain(int routes) {
    TableView first = BenchRoutes.table(routes);
    SnapshotCompiler c = new SnapshotCompiler();
    c.rebuild(first);
    c.afterPublish();
    Map<RouteKey, RouteSpec> m = new HashMap<>(first.routes());
    for (int n = 0; n < 1_000; n++) {
      int i = (n * 7919) % routes;
      RouteKey key = RouteKey.of("bench", "api", "r" + i);
      m.put(key, m.get(key).withPaths(List.of(PathMatch.prefix(BenchRoutes.prefix(i) + "/" + n))));
      view = new TableView(n + 2, m);
      snapshot = c.update(view);
      c.afterPublish();
    }
  }

  private static long used() {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      best = Math.min(best, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return best;
  }
}
