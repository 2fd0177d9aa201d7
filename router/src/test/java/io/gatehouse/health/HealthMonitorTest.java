package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.table.InMemoryHealthTopic;
import io.gatehouse.table.TableView;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which endpoints the monitor keeps probers for, as snapshots come. */
@Timeout(30)
class HealthMonitorTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void probing_starts_from_a_snapshot_that_another_subscriber_has_not_adopted_yet()
      throws Exception {
    EndpointIndex index = new EndpointIndex();
    SnapshotCompiler compiler = new SnapshotCompiler(index);
    SnapshotHolder snapshots = new SnapshotHolder();
    HealthRegistry registry = new HealthRegistry(HealthClock.SYSTEM, HealthMonitor.timers(vertx));
    HealthMonitor monitor =
        new HealthMonitor(
            registry, new OutlierDetector(registry), new InMemoryHealthTopic(), snapshots, index);
    vertx.deployVerticle(monitor).await(10, TimeUnit.SECONDS);
    // A router loop that takes its time: until it adopts, SnapshotHolder.get() answers nothing.
    CompletableFuture<Void> routerAdopts = new CompletableFuture<>();
    snapshots.subscribe(task -> routerAdopts.thenRun(task), s -> {});

    HealthCheck check =
        HealthCheck.tcp().withTiming(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ZERO);
    RouteSpec route =
        RouteSpec.simple(
            RouteKey.of("default", "cli", "checked"),
            List.of("checked.example"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 1), Endpoint.of("127.0.0.1", 2)))
                .withPolicy(BackendPolicy.DEFAULT.withHealthCheck(check)));
    RouteSnapshot s = compiler.update(new TableView(1, Map.of(route.key(), route)));
    compiler.afterPublish();
    snapshots.publish(s);

    await().atMost(Duration.ofSeconds(10)).until(() -> monitor.probers() == 2);
    assertThat(snapshots.get()).isNull();
    routerAdopts.complete(null);
  }
}
