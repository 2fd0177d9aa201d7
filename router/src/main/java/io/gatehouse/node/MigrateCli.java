package io.gatehouse.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.gatehouse.k8s.migrate.MigrateCommand;
import io.gatehouse.k8s.migrate.MigrateException;
import io.gatehouse.k8s.migrate.MigrateOptions;
import io.gatehouse.k8s.migrate.MigrationReport;
import io.kubernetes.client.openapi.ApiClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code gatehouse migrate [FILE|DIR...]}: the ingress-nginx migration report ({@link
 * MigrateCommand}). Its exit codes are the report's (0, 1, 2), 64 for usage and 70 when the input
 * cannot be read, so a CI can tell "differs" from "broken" (docs/ingress-nginx.md).
 */
final class MigrateCli {
  static final String NAME = "migrate";

  private MigrateCli() {}

  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    ParseResult pr;
    try {
      pr = cl.parseArgs(args);
    } catch (ParameterException e) {
      return usage(err, String.valueOf(e.getMessage()));
    }
    if (pr.isUsageHelpRequested()) {
      cl.usage(out);
      out.flush();
      return MigrationReport.EXIT_SAME;
    }
    List<String> files = pr.matchedPositionalValue(0, List.<String>of());
    String kubeconfig = pr.matchedOptionValue("--kubeconfig", null);
    String context = pr.matchedOptionValue("--context", null);
    String format = pr.matchedOptionValue("--output", "text").toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      return usage(
          err, "bad value for option '--output': \"" + format + "\" (expected: text or json)");
    }
    if (!files.isEmpty() && (kubeconfig != null || context != null)) {
      return usage(err, "read files or a cluster (--kubeconfig, --context), not both");
    }
    List<String> classes = new ArrayList<>();
    for (String c : pr.matchedOptionValue("--ingress-class", List.<String>of())) {
      for (String part : c.split(",")) {
        if (!part.isBlank()) {
          classes.add(part.trim());
        }
      }
    }
    ApiClient client = null;
    Path config = null;
    if (files.isEmpty()) {
      try {
        KubeCredentials creds =
            KubeCredentials.resolve(
                kubeconfig == null ? "" : kubeconfig, env, KubeCredentials.SERVICE_ACCOUNT);
        config = creds.kubeconfig();
        client =
            config == null
                ? MigrateCommand.inClusterClient()
                : MigrateCommand.client(config, context);
      } catch (ConfigException | MigrateException e) {
        err.println("gatehouse migrate: " + e.getMessage());
        err.flush();
        return MigrationReport.EXIT_UNREADABLE;
      }
    }
    MigrateOptions options =
        new MigrateOptions(
            files.stream().map(Path::of).toList(),
            config,
            context,
            pr.matchedOptionValue("--namespace", null),
            pr.matchedOptionValue("--configmap", null),
            classes,
            format.equals("json") ? MigrateOptions.Format.JSON : MigrateOptions.Format.TEXT);
    return MigrateCommand.run(options, client, out, err);
  }

  /**
   * The node's logs go to stdout, which carries the report (JSON a tool parses): the libraries'
   * logs are turned off, and the command says what went wrong on stderr itself.
   */
  static void quietLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
    }
  }

  private static int usage(PrintWriter err, String message) {
    err.println("gatehouse migrate: " + message + " (see migrate --help)");
    err.flush();
    return MigrationReport.EXIT_USAGE;
  }

  private static CommandLine commandLine() {
    CommandSpec spec = CommandSpec.create().name("gatehouse migrate");
    spec.addOption(
        OptionSpec.builder("-h", "--help").usageHelp(true).description("this help").build());
    spec.usageMessage()
        .description(
            "Reports, per Ingress and per nginx.ingress.kubernetes.io/ annotation, what Gatehouse"
                + " would serve identically, differently or not at all. Reads the FILEs and"
                + " directories given, else the cluster (read-only).",
            "Exit codes: 0 everything served identically, 1 everything served (some of it"
                + " differently), 2 something not served, 64 usage, 70 the input could not be"
                + " read.")
        .sortOptions(false);
    spec.addPositional(
        PositionalParamSpec.builder()
            .paramLabel("FILE|DIR")
            .arity("0..*")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description("YAML manifests (multi-document), or directories of them")
            .build());
    spec.addOption(
        OptionSpec.builder("--kubeconfig")
            .paramLabel("PATH")
            .type(String.class)
            .description("the cluster's kubeconfig (default: KUBECONFIG, ~/.kube/config)")
            .build());
    spec.addOption(
        OptionSpec.builder("--context")
            .paramLabel("NAME")
            .type(String.class)
            .description("kubeconfig context (default: the current one)")
            .build());
    spec.addOption(
        OptionSpec.builder("--namespace", "-n")
            .paramLabel("NS")
            .type(String.class)
            .description(
                "only this namespace (cluster); the namespace of objects that name none (files,"
                    + " default: default)")
            .build());
    spec.addOption(
        OptionSpec.builder("--configmap")
            .paramLabel("FILE|NS/NAME")
            .type(String.class)
            .description("the ingress-nginx controller ConfigMap, reported key by key")
            .build());
    spec.addOption(
        OptionSpec.builder("--ingress-class")
            .paramLabel("NAME")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "report Ingresses of this class; repeatable or comma list (default: nginx and"
                    + " every IngressClass of controller k8s.io/ingress-nginx; Ingresses without"
                    + " a class always)")
            .build());
    spec.addOption(
        OptionSpec.builder("--output", "-o")
            .paramLabel("FORMAT")
            .type(String.class)
            .description("text or json (default: text)")
            .build());
    return new CommandLine(spec);
  }
}
