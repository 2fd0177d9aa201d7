package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.NodeFixture;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node started as {@code java -jar gatehouse.jar --config FILE} starts it (the command line reads
 * the file; the node watches it), in this JVM: what the reload ITs share.
 */
final class WatchedNode {
  private WatchedNode() {}

  /** Replaces {@code file} in one step, as a ConfigMap update does: never a half-written file. */
  static void write(Path file, String text) throws Exception {
    Path tmp = file.resolveSibling("next.yaml");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Starts a node from {@code file} with one route ({@code shop.test} to {@code upstream}). */
  static GatehouseNode start(Path file, String upstream) throws Exception {
    StringWriter err = new StringWriter();
    Cli.Result parsed =
        Cli.parse(
            new String[] {"--config", file.toString()},
            Map.of(),
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(parsed).as(err.toString()).isInstanceOf(Cli.Run.class);
    Cli.Run run = (Cli.Run) parsed;
    assertThat(run.configFile()).isEqualTo(file);
    GatehouseNode node =
        GatehouseNode.start(run.config(), List.of(NodeFixture.route("shop", "shop.test", upstream)))
            .await(30, TimeUnit.SECONDS);
    node.watchConfig(file, run.reread());
    return node;
  }

  static JsonObject reloadStatus(GatehouseNode node) {
    return node.statusJson().getJsonObject("configReload");
  }

  /** Waits until {@code applied} reloads applied and the last one ended as {@code result}. */
  static JsonObject awaitReload(GatehouseNode node, long applied, String result) {
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              JsonObject last = reloadStatus(node).getJsonObject("last");
              return reloadStatus(node).getLong("applied") == applied
                  && last != null
                  && last.getString("result").equals(result);
            });
    return reloadStatus(node).getJsonObject("last");
  }
}
