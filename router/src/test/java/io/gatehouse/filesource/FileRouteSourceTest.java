package io.gatehouse.filesource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.table.InMemoryRouteTable;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
