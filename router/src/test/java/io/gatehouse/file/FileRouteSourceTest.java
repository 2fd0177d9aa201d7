package io.gatehouse.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.ServedReport;
import io.gatehouse.table.SourceApplied;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class FileRouteSourceTest {
  private static final Duration POLL = Duration.ofMillis(100);

  @TempDir Path dir;

  @Test
  void an_edit_is_in_the_table_within_one_second(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, routes("a"));
    InMemoryRouteTable table = new InMemoryRouteTable();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, s -> {});

    source
        .start()
        .compose(
            v -> {
              ctx.verify(() -> assertThat(names(table)).containsExactly("a"));
              long t0 = System.nanoTime();
              return write(vertx, file, routes("a", "b")).map(t0);
            })
        .compose(t0 -> until(vertx, () -> names(table).contains("b"), 3000).map(t0))
        .onComplete(
            ctx.succeeding(
                t0 ->
                    ctx.verify(
                        () -> {
                          long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
                          assertThat(elapsedMs).isLessThan(1000);
                          assertThat(names(table)).containsExactlyInAnyOrder("a", "b");
                          assertThat(source.lastError()).isEmpty();
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  @Test
  void a_broken_edit_keeps_the_last_good_routes_and_reports_the_line(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, routes("a"));
    InMemoryRouteTable table = new InMemoryRouteTable();
    List<FileRouteSource.Status> statuses = new CopyOnWriteArrayList<>();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, statuses::add);
    String broken =
        """
        routes:
          - name: a
            paths: [{type: Prefix, value: nope}]
            backend: {endpoints: ["127.0.0.1:8080"]}
        """;

    source
        .start()
        .compose(v -> write(vertx, file, broken))
        .compose(v -> until(vertx, () -> source.lastError().isPresent(), 3000))
        .compose(v -> until(vertx, () -> statuses.size() >= 2, 3000))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(names(table)).containsExactly("a");
                          assertThat(table.view().routes().values())
                              .allMatch(r -> r.paths().get(0).value().equals("/"));
                          assertThat(source.lastError().get())
                              .contains(file.toString())
                              .contains("line 3: routes[0].paths[0].value: \"nope\"");
                          assertThat(statuses.get(statuses.size() - 1).lastError())
                              .isEqualTo(source.lastError());
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  @Test
  void named_backends_follow_the_file_and_leave_another_sources_backend_alone(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("routes.yaml");
    String v1 =
        "backends:\n"
            + "  - {name: web, endpoints: [\"127.0.0.1:8081\"]}\n"
            + "  - {name: api, endpoints: [\"127.0.0.1:8082\"]}\n"
            + "  - {name: taken, endpoints: [\"127.0.0.1:8083\"]}\n"
            + "routes:\n"
            + "  - {name: a, backendRefs: [{backend: web}]}\n";
    String v2 =
        "backends:\n"
            + "  - {name: web, endpoints: [\"127.0.0.1:9091\"]}\n"
            + "routes:\n"
            + "  - {name: a, backendRefs: [{backend: web}]}\n";
    Files.writeString(file, v1);
    InMemoryRouteTable table = new InMemoryRouteTable();
    BackendObject rest =
        new BackendObject(
            new BackendKey(TenantId.of("default"), "taken"),
            "rest",
            BackendSpec.http1(List.of(Endpoint.of("10.0.0.9", 80))));
    table.apply(Batch.of(Write.put(rest)));
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, s -> {});
    BackendKey web = new BackendKey(TenantId.of("default"), "web");
    BackendKey api = new BackendKey(TenantId.of("default"), "api");

    source
        .start()
        .compose(
            v -> {
              ctx.verify(
                  () -> {
                    assertThat(table.view().backends().get(web).spec().endpoints())
                        .containsExactly(Endpoint.of("127.0.0.1", 8081));
                    assertThat(table.view().backends().get(web).source()).isEqualTo("file");
                    assertThat(table.view().backends()).containsKey(api);
                    assertThat(table.view().backends().get(rest.key())).isEqualTo(rest);
                    assertThat(source.lastError())
                        .hasValueSatisfying(
                            e -> assertThat(e).contains("default/taken (owned by rest)"));
                  });
              return replace(vertx, file, v2);
            })
        .compose(v -> until(vertx, () -> !table.view().backends().containsKey(api), 10_000))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(table.view().backends().get(web).spec().endpoints())
                              .containsExactly(Endpoint.of("127.0.0.1", 9091));
                          assertThat(table.view().backends().get(rest.key())).isEqualTo(rest);
                          assertThat(source.lastError()).isEmpty();
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  @Test
  void a_fix_after_a_broken_edit_is_applied(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, routes("a"));
    InMemoryRouteTable table = new InMemoryRouteTable();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, s -> {});

    source
        .start()
        .compose(v -> write(vertx, file, "routes:\n  - name: [\n"))
        .compose(v -> until(vertx, () -> source.lastError().isPresent(), 3000))
        .compose(v -> replace(vertx, file, routes("c")))
        .compose(v -> until(vertx, () -> names(table).equals(Set.of("c")), 3000))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(source.lastError()).isEmpty();
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  @Test
  void a_deleted_file_keeps_the_routes_until_it_comes_back(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, routes("a"));
    InMemoryRouteTable table = new InMemoryRouteTable();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, s -> {});

    source
        .start()
        .compose(v -> vertx.fileSystem().delete(file.toString()))
        .compose(v -> until(vertx, () -> source.lastError().isPresent(), 3000))
        .compose(
            v -> {
              ctx.verify(
                  () -> {
                    assertThat(source.lastError().get()).contains("file not found");
                    assertThat(names(table)).containsExactly("a");
                  });
              return write(vertx, file, routes("a"));
            })
        .compose(v -> until(vertx, () -> source.lastError().isEmpty(), 3000))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(names(table)).containsExactly("a");
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  @Test
  void a_swapped_symlink_is_seen_like_a_configmap_update(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path v1 = Files.createDirectory(dir.resolve("v1"));
    Path v2 = Files.createDirectory(dir.resolve("v2"));
    Files.writeString(v1.resolve("routes.yaml"), routes("a"));
    Files.writeString(v2.resolve("routes.yaml"), routes("b"));
    Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("routes.yaml"), Path.of("..data/routes.yaml"));
    InMemoryRouteTable table = new InMemoryRouteTable();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, s -> {});

    source
        .start()
        .compose(
            v ->
                vertx.executeBlocking(
                    () -> {
                      Path tmp =
                          Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
                      return Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE);
                    }))
        .compose(v -> until(vertx, () -> names(table).equals(Set.of("b")), 3000))
        .onComplete(
            ctx.succeeding(
                v -> {
                  source.stop();
                  ctx.completeNow();
                }));
  }

  @Test
  void a_broken_first_version_fails_the_start(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, "routes:\n  - name: a\n    bogus: 1\n");
    InMemoryRouteTable table = new InMemoryRouteTable();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, s -> {});

    source
        .start()
        .onComplete(
            ctx.failing(
                e ->
                    ctx.verify(
                        () -> {
                          assertThat(e.getMessage()).contains("line 3: unknown key");
                          assertThat(table.view().routes()).isEmpty();
                          assertThat(source.lastError()).isPresent();
                          ctx.completeNow();
                        })));
  }

  @Test
  void a_missing_first_file_fails_the_start(Vertx vertx, VertxTestContext ctx) {
    FileRouteSource source =
        new FileRouteSource(
            vertx, dir.resolve("absent.yaml"), POLL, new InMemoryRouteTable(), s -> {});

    source
        .start()
        .onComplete(
            ctx.failing(
                e ->
                    ctx.verify(
                        () -> {
                          assertThat(e.getMessage()).contains("file not found");
                          ctx.completeNow();
                        })));
  }

  private static final String WITH_SERVICE =
      routes("a")
          + "  - name: by-service\n"
          + "    hosts: [svc.example]\n"
          + "    backendRefs: [{service: {name: web, port: 80}}]\n";

  @Test
  void a_service_backend_without_service_endpoints_is_left_out_and_reported_at_its_line(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, WITH_SERVICE);
    InMemoryRouteTable table = new InMemoryRouteTable();
    List<FileRouteSource.Status> statuses = new CopyOnWriteArrayList<>();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, statuses::add, false);

    source
        .start()
        .compose(v -> until(vertx, () -> !statuses.isEmpty(), 3000))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(names(table)).containsExactly("a");
                          assertThat(source.lastError().orElseThrow())
                              .startsWith("routes file " + file + ": line 7: ")
                              .contains("routes[1].backendRefs[0].service: \"web\"")
                              .contains("kubernetes.enabled");
                          FileRouteSource.Status s = statuses.get(statuses.size() - 1);
                          assertThat(s.routes()).isEqualTo(1);
                          assertThat(s.lastError()).isEqualTo(source.lastError());
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  @Test
  void a_service_backend_with_service_endpoints_is_applied(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, WITH_SERVICE);
    InMemoryRouteTable table = new InMemoryRouteTable();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, s -> {}, true);

    source
        .start()
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(names(table)).containsExactlyInAnyOrder("a", "by-service");
                          assertThat(source.lastError()).isEmpty();
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  @Test
  void a_route_the_cluster_cannot_read_yet_is_reported_kept_as_it_was_and_written_after_the_upgrade(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, routes("a", "split-b"));
    OneOldMember table = new OneOldMember();
    RouteSpec before =
        RouteSpec.simple(
            RouteKey.of("default", "file", "split-b"),
            List.of("before.example"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9090))));
    table.inner.apply(Batch.of(Write.put(before)));
    List<FileRouteSource.Status> statuses = new CopyOnWriteArrayList<>();
    FileRouteSource source = new FileRouteSource(vertx, file, POLL, table, statuses::add);

    source
        .start()
        .compose(
            v -> {
              ctx.verify(
                  () -> {
                    // the rest of the file is served; the held route keeps its entry
                    assertThat(names(table.inner)).containsExactlyInAnyOrder("a", "split-b");
                    assertThat(table.inner.view().routes().get(before.key())).isEqualTo(before);
                    assertThat(source.lastError().orElseThrow())
                        .contains(file.toString())
                        .contains("cluster-not-upgraded: route split-b needs entry format 2")
                        .contains("10.0.0.9:5701 (0.9.0, reads format 1)");
                  });
              return until(vertx, () -> !statuses.isEmpty(), 3000);
            })
        .compose(
            v -> {
              ctx.verify(
                  () -> {
                    FileRouteSource.Status s = statuses.get(statuses.size() - 1);
                    assertThat(s.routes()).isEqualTo(1);
                    assertThat(s.lastError()).isEqualTo(source.lastError());
                  });
              table.leave();
              return until(vertx, () -> source.lastError().isEmpty(), 3000);
            })
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(table.inner.view().routes().get(before.key()).hosts())
                              .containsExactly("split-b.example");
                          assertThat(names(table.inner)).containsExactlyInAnyOrder("a", "split-b");
                          source.stop();
                          ctx.completeNow();
                        })));
  }

  /**
   * A table with a member of the previous release, whose routes named {@code split-*} need entry
   * format 2 (by name, so a test needs no split): the table holds them back, keeping their entry,
   * as the Hazelcast table does (cluster module, {@code FormatGateClusterTest}; end to end with a
   * real split in {@code FormatGateNodeIT}).
   */
  static final class OneOldMember implements RouteTable {
    static final MemberInfo OLD = new MemberInfo("old", "10.0.0.9:5701", false, 1, 0, "0.9.0", 1);
    final InMemoryRouteTable inner = new InMemoryRouteTable();
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    volatile boolean oldMemberPresent = true;

    void leave() {
      oldMemberPresent = false;
      listeners.forEach(Runnable::run);
    }

    @Override
    public SourceApplied applySource(String src, Collection<RouteSpec> routes) {
      if (!oldMemberPresent) {
        return inner.applySource(src, routes);
      }
      List<RouteSpec> written = new ArrayList<>();
      List<EntryKey> held = new ArrayList<>();
      for (RouteSpec r : routes) {
        if (r.key().name().startsWith("split-")) {
          held.add(EntryKey.route(r.key()));
          RouteSpec there = inner.view().routes().get(r.key());
          if (there != null) {
            written.add(there);
          }
        } else {
          written.add(r);
        }
      }
      long gen = inner.applySource(src, written).generation();
      return new SourceApplied(
          gen, held.isEmpty() ? null : new Outcome.NotUpgraded(2, held, List.of(OLD)));
    }

    @Override
    public AutoCloseable onMembersChanged(Runnable listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }

    @Override
    public TableView view() {
      return inner.view();
    }

    @Override
    public Outcome apply(Batch batch) {
      return inner.apply(batch);
    }

    @Override
    public AutoCloseable subscribe(Consumer<TableView> listener) {
      return inner.subscribe(listener);
    }

    @Override
    public void served(long generation) {
      inner.served(generation);
    }

    @Override
    public CompletableFuture<ServedReport> awaitServed(long generation, Duration timeout) {
      return inner.awaitServed(generation, timeout);
    }

    @Override
    public List<MemberInfo> members() {
      return oldMemberPresent ? List.of(inner.members().get(0), OLD) : inner.members();
    }
  }

  private static String routes(String... names) {
    StringBuilder b = new StringBuilder("routes:\n");
    for (String n : names) {
      b.append("  - name: ")
          .append(n)
          .append("\n    hosts: [")
          .append(n)
          .append(".example]\n    backend: {endpoints: [\"127.0.0.1:8080\"]}\n");
    }
    return b.toString();
  }

  private static Set<String> names(InMemoryRouteTable table) {
    return table.view().routes().keySet().stream().map(RouteKey::name).collect(Collectors.toSet());
  }

  private static Future<Void> write(Vertx vertx, Path file, String text) {
    return vertx.fileSystem().writeFile(file.toString(), Buffer.buffer(text));
  }

  /** Writes a temporary file and renames it over {@code file}, as editors do. */
  private static Future<Void> replace(Vertx vertx, Path file, String text) {
    String tmp = file + ".tmp";
    return vertx
        .fileSystem()
        .writeFile(tmp, Buffer.buffer(text))
        .compose(
            v ->
                vertx
                    .fileSystem()
                    .move(
                        tmp,
                        file.toString(),
                        new CopyOptions().setReplaceExisting(true).setAtomicMove(true)));
  }

  /** Completes when {@code condition} holds, checking every 10 ms on a Vert.x timer. */
  private static Future<Void> until(Vertx vertx, BooleanSupplier condition, long maxMillis) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    check(vertx, condition, deadline, maxMillis, done);
    return done.future();
  }

  private static void check(
      Vertx vertx, BooleanSupplier condition, long deadline, long maxMillis, Promise<Void> done) {
    if (condition.getAsBoolean()) {
      done.complete();
    } else if (System.nanoTime() > deadline) {
      done.fail(new AssertionError("condition not met within " + maxMillis + " ms"));
    } else {
      vertx.setTimer(10, id -> check(vertx, condition, deadline, maxMillis, done));
    }
  }
}
