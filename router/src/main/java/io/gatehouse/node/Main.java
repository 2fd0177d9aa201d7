package io.gatehouse.node;

import ch.qos.logback.classic.LoggerContext;
import io.gatehouse.ctl.Ctl;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code java -jar gatehouse.jar [options]}: parses the configuration and runs one node. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    if (args.length > 0 && (args[0].equals(MigrateCli.NAME) || args[0].equals(Ctl.NAME))) {
      MigrateCli.quietLogs();
    }
    Cli.Result result = Cli.parse(args, System.getenv(), out, err);
    if (result instanceof Cli.Exit exit) {
      out.flush();
      err.flush();
      System.exit(exit.code());
      return;
    }
    Cli.Run run = (Cli.Run) result;
    NodeConfig config = run.config();
    LogLevels.apply(config.log());
    Logger log = LoggerFactory.getLogger(Main.class);
    // The handler goes in before the node starts: the JVM's own handling of SIGHUP is an orderly
    // shutdown, so a reload asked for just as the node became ready would have stopped it.
    AtomicReference<@Nullable GatehouseNode> started = new AtomicReference<>();
    onSighup(started, log);
    GatehouseNode node;
    try {
      node = GatehouseNode.start(config, run.cliRoutes()).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      String reason = e.getMessage() != null ? e.getMessage() : e.toString();
      log.atError().setMessage("gatehouse failed to start").addKeyValue("reason", reason).log();
      err.println("gatehouse: " + reason);
      err.flush();
      flushLogs();
      System.exit(1);
      return;
    }
    Path file = run.configFile();
    if (file != null) {
      node.watchConfig(file, run.reread());
    }
    started.set(node);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.stopAndWait();
                  flushLogs();
                },
                "gatehouse-shutdown"));
  }

  /**
   * SIGHUP (through {@code sun.misc.Signal}, the JDK's one way to handle it) reloads the
   * configuration file and reopens the access log's file (log rotation). Where the JVM offers no
   * signal handling ({@code -Xrs}, a platform without SIGHUP) the file is still watched; the node
   * says so once.
   */
  private static void onSighup(AtomicReference<@Nullable GatehouseNode> started, Logger log) {
    try {
      SignalHandler previous =
          Signal.handle(
              new Signal("HUP"),
              sig -> {
                GatehouseNode node = started.get();
                if (node == null) {
                  // still starting: the configuration it starts with is being read now
                  log.atInfo().setMessage("SIGHUP").addKeyValue("reload", "starting").log();
                  return;
                }
                String result = node.reloadConfig();
                log.atInfo().setMessage("SIGHUP").addKeyValue("reload", result).log();
              });
      if (previous == SignalHandler.SIG_IGN) {
        // The JVM keeps a shutdown signal ignored when it started so (nohup): no handler went in.
        log.atWarn()
            .setMessage(
                "SIGHUP was ignored when the node started (as under nohup), so it still is; the"
                    + " configuration file is still watched")
            .log();
      }
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      log.atWarn()
          .setMessage("SIGHUP cannot be handled here; the configuration file is still watched")
          .addKeyValue("reason", e.getClass().getSimpleName())
          .log();
    }
  }

  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.stop();
    }
  }
}
