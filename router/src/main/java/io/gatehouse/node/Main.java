package io.gatehouse.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.gatehouse.ctl.Ctl;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    applyLogLevels(config.log());
    Logger log = LoggerFactory.getLogger(Main.class);
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
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.stopAndWait();
                  flushLogs();
                },
                "gatehouse-shutdown"));
  }

  private static void applyLogLevels(NodeConfig.Log cfg) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(cfg.level(), Level.INFO));
      ctx.getLogger("gatehouse.access").setLevel(cfg.access() ? Level.INFO : Level.OFF);
    }
  }

  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.stop();
    }
  }
}
