package io.gatehouse.bench;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.TableState;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Versioned;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ms per compile after one change to a table of {@code routes} routes, as the publisher runs it
 * ({@link SnapshotCompiler#update} from the last snapshot, then {@link
 * SnapshotCompiler#afterPublish}): the diff of the two views and the endpoint index's puts
 * included, building the views not. Each invocation flips between two views that differ in that one
 * change, so every call compiles a real change.
 *
 * <ul>
 *   <li>{@code oneRoute}: one route's path changes (its host level is rebuilt);
 *   <li>{@code oneRouteFull}: the same view compiled in full, for comparison;
 *   <li>{@code endpointsOfOneBackend}: the endpoints change for the ten routes that list the same
 *       backend (an Endpoints update): ten puts into the endpoint index, nothing recompiled.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IncrementalCompileBenchmark {
  @Param({"1000", "10000", "100000"})
  public int routes;

  private TableView base;
  private TableView pathChanged;
  private TableView endpointsChanged;
  private final SnapshotCompiler pathCompiler = new SnapshotCompiler();
  private final SnapshotCompiler endpointCompiler = new SnapshotCompiler();
  private boolean pathFlip;
  private boolean endpointFlip;
  private final TableState state = new TableState();
  private final SnapshotCompiler tableCompiler = new SnapshotCompiler();
  private RouteSpec original;
  private RouteSpec changed;
  private long revision;
  private boolean tableFlip;

  @Setup
  public void setUp() {
    base = BenchRoutes.table(routes);
    int i = routes / 2 + 1; // an exact-host route, not one on a wildcard
    RouteKey key = RouteKey.of("bench", "api", "r" + i);
    Map<RouteKey, RouteSpec> m = new HashMap<>(base.routes());
    m.put(key, m.get(key).withPaths(List.of(PathMatch.prefix(BenchRoutes.prefix(i) + "/moved"))));
    pathChanged = new TableView(2, m);

    // Routes 10b .. 10b+9 list backend b (BenchRoutes): move all of them to a new endpoint.
    int b = routes / 20;
    BackendSpec moved = BackendSpec.http1(List.of(Endpoint.of("b" + b + "-v2.internal", 8080)));
    Map<RouteKey, RouteSpec> e = new HashMap<>(base.routes());
    for (int r = 10 * b; r < 10 * b + 10; r++) {
      RouteKey k = RouteKey.of("bench", "api", "r" + r);
      e.put(k, e.get(k).withBackend(moved));
    }
    endpointsChanged = new TableView(2, e);

    pathCompiler.rebuild(base);
    pathCompiler.afterPublish();
    endpointCompiler.rebuild(base);
    endpointCompiler.afterPublish();

    for (RouteSpec r : base.routes().values()) {
      state.apply(new Versioned(EntryKey.of(r), ++revision, 1, 1, r, true));
    }
    state.generation(1);
    tableCompiler.rebuild(state.view());
    tableCompiler.afterPublish();
    original = base.routes().get(key);
    changed = pathChanged.routes().get(key);
  }

  @Benchmark
  public RouteSnapshot oneRouteFromTable() {
    tableFlip = !tableFlip;
    RouteSpec r = tableFlip ? changed : original;
    state.apply(new Versioned(EntryKey.of(r), ++revision, state.generation() + 1, 1, r, true));
    state.generation(state.generation() + 1);
    RouteSnapshot s = tableCompiler.update(state.view());
    tableCompiler.afterPublish();
    return s;
  }

  @Benchmark
  public RouteSnapshot oneRoute() {
    pathFlip = !pathFlip;
    RouteSnapshot s = pathCompiler.update(pathFlip ? pathChanged : base);
    pathCompiler.afterPublish();
    return s;
  }

  @Benchmark
  public RouteSnapshot oneRouteFull() {
    return SnapshotCompiler.compile(pathChanged);
  }

  @Benchmark
  public RouteSnapshot endpointsOfOneBackend() {
    endpointFlip = !endpointFlip;
    RouteSnapshot s = endpointCompiler.update(endpointFlip ? endpointsChanged : base);
    endpointCompiler.afterPublish();
    return s;
  }
}
