package io.gatehouse.node;

import io.gatehouse.ctl.Ctl;
import io.gatehouse.flags.RouteFlagTranslator;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line: turns arguments and the environment into a {@link NodeConfig} and the quick
 * {@code --route} routes, or into an exit code. Flags override {@code GATEHOUSE_*} variables, which
 * override the {@code --config} file, which overrides the defaults; {@code --set} is applied before
 * the named flags, so {@code --http-port} wins over {@code --set http.port=...}.
 */
public final class Cli {
  public static final int EXIT_OK = 0;
  public static final int EXIT_USAGE = 2;

  private Cli() {}

  /** What {@link #parse} decided: run with a configuration, or exit with a code. */
  public sealed interface Result permits Run, Exit {}

  /**
   * @param cliRoutes validated routes of source {@code cli}, from {@code --route}
   * @param configFile the {@code --config} file, or null for none
   * @param reread reads the whole configuration again (file, environment, flags), for a reload
   */
  public record Run(
      NodeConfig config, List<RouteSpec> cliRoutes, @Nullable Path configFile, ConfigSource reread)
      implements Result {
    public Run {
      cliRoutes = List.copyOf(cliRoutes);
    }

    /** Without a configuration file to reload. */
    public Run(NodeConfig config, List<RouteSpec> cliRoutes) {
      this(config, cliRoutes, null, () -> config);
    }
  }

  /**
   * Exit now: 0 after {@code --help} or {@code --version}, 2 after a usage or config error, or
   * {@code migrate}'s code.
   */
  public record Exit(int code) implements Result {}

  /** A named flag that sets one configuration key. */
  private record KeyFlag(String name, String label, String key, Class<?> type, String help) {}

  private static final List<KeyFlag> KEY_FLAGS =
      List.of(
          new KeyFlag("--http-port", "N", "http.port", Integer.class, "HTTP listener port"),
          new KeyFlag("--http-host", "ADDR", "http.host", String.class, "HTTP listener address"),
          new KeyFlag(
              "--status-port", "N", "status.port", Integer.class, "status and metrics port"),
          new KeyFlag(
              "--status-host", "ADDR", "status.host", String.class, "status listener address"),
          new KeyFlag(
              "--admin-port",
              "N",
              "admin.port",
              Integer.class,
              "admin REST API port (admin.enabled)"),
          new KeyFlag(
              "--routes-file",
              "PATH",
              "routes.file",
              String.class,
              "YAML routes file, polled for changes"),
          new KeyFlag(
              "--default-backend",
              "HOST:PORT",
              "defaultBackend.upstream",
              String.class,
              "upstream for requests no route matches; empty serves the built-in page"),
          new KeyFlag(
              "--log-level",
              "LEVEL",
              "log.level",
              String.class,
              "root log level: error, warn, info, debug, trace"),
          new KeyFlag(
              "--https-port",
              "N",
              "tls.port",
              Integer.class,
              "HTTPS listener port (used when tls.enabled is true or --cert-dir is given)"),
          new KeyFlag(
              "--cert-dir",
              "PATH",
              "tls.certDir",
              String.class,
              "directory of NAME.crt + NAME.key pairs or NAME.pem files; enables HTTPS"),
          new KeyFlag(
              "--kubeconfig",
              "PATH",
              "kubernetes.kubeconfig",
              String.class,
              "kubeconfig file for kubernetes.enabled; else KUBECONFIG, the pod's"
                  + " ServiceAccount, ~/.kube/config"),
          new KeyFlag(
              "--nginx-configmap",
              "NS/NAME",
              "kubernetes.nginxConfigMap",
              String.class,
              "ingress-nginx's controller ConfigMap: its keys become every Ingress's defaults"));

  /**
   * Parses {@code args}; help and errors are written to {@code out} and {@code err}. Never exits
   * the JVM.
   */
  public static Result parse(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    if (args.length > 0 && args[0].equals(MigrateCli.NAME)) {
      // a subcommand of its own: it reports and exits, no node starts
      return new Exit(MigrateCli.run(Arrays.copyOfRange(args, 1, args.length), env, out, err));
    }
    if (args.length > 0 && args[0].equals(Ctl.NAME)) {
      // the admin API's client: it talks to a node and exits, no node starts
      return new Exit(Ctl.run(Arrays.copyOfRange(args, 1, args.length), env, System.in, out, err));
    }
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    ParseResult pr;
    try {
      pr = cl.parseArgs(args);
    } catch (ParameterException e) {
      err.println("gatehouse: " + e.getMessage() + " (see --help)");
      err.flush();
      return new Exit(EXIT_USAGE);
    }
    if (pr.isUsageHelpRequested()) {
      cl.usage(out);
      out.flush();
      return new Exit(EXIT_OK);
    }
    if (pr.isVersionHelpRequested()) {
      cl.printVersionHelp(out);
      out.flush();
      return new Exit(EXIT_OK);
    }
    try {
      NodeConfig config = config(pr, env, err);
      List<RouteSpec> routes = routes(pr.matchedOptionValue("--route", List.<String>of()));
      String file = pr.matchedOptionValue("--config", env.get(ConfigLoader.ENV_CONFIG_FILE));
      // A reload reads the same layers again; its warnings were printed at start.
      ConfigSource reread = () -> config(pr, env, new PrintWriter(Writer.nullWriter()));
      return new Run(config, routes, file == null || file.isEmpty() ? null : Path.of(file), reread);
    } catch (ConfigException e) {
      err.println("gatehouse: " + e.getMessage());
      err.flush();
      return new Exit(EXIT_USAGE);
    }
  }

  /** The {@code --help} text. */
  public static String usage() {
    StringWriter s = new StringWriter();
    commandLine().usage(new PrintWriter(s));
    return s.toString();
  }

  private static NodeConfig config(ParseResult pr, Map<String, String> env, PrintWriter err)
      throws ConfigException {
    ConfigLoader loader = new ConfigLoader();
    String file = pr.matchedOptionValue("--config", env.get(ConfigLoader.ENV_CONFIG_FILE));
    if (file != null && !file.isEmpty()) {
      loader.file(Path.of(file));
    }
    loader.env(env);
    for (String set : pr.matchedOptionValue("--set", List.<String>of())) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "bad value for option '--set': \"" + set + "\" (expected: KEY=VALUE)");
      }
      loader.set(set.substring(0, eq).trim(), set.substring(eq + 1), "--set " + set);
    }
    for (KeyFlag f : KEY_FLAGS) {
      Object value = pr.matchedOptionValue(f.name(), null);
      if (value != null) {
        loader.set(f.key(), value.toString(), f.name());
      }
    }
    List<String> proxies = pr.matchedOptionValue("--trusted-proxy", null);
    if (proxies != null) {
      loader.setList("proxy.trustedProxies", proxies, "--trusted-proxy");
    }
    List<String> allowed = pr.matchedOptionValue("--allow-client", null);
    if (allowed != null) {
      loader.setList("proxy.allow", allowed, "--allow-client");
    }
    List<String> denied = pr.matchedOptionValue("--deny-client", null);
    if (denied != null) {
      loader.setList("proxy.deny", denied, "--deny-client");
    }
    List<String> classes = pr.matchedOptionValue("--ingress-class", null);
    if (classes != null) {
      // repeatable, each a name or a comma list: kept as one comma list
      loader.set("kubernetes.ingressClass", String.join(",", classes), "--ingress-class");
    }
    List<String> proxyProtocol = pr.matchedOptionValue("--proxy-protocol", null);
    if (proxyProtocol != null) {
      for (String listener : proxyProtocol) {
        String l = listener.trim();
        if (!l.equals("http") && !l.equals("https")) {
          throw new ConfigException(
              "bad value for option '--proxy-protocol': \""
                  + listener
                  + "\" (expected: http or https)");
        }
        loader.set("proxy.proxyProtocol." + l, "true", "--proxy-protocol " + l);
      }
    }
    NodeConfig config = loader.load();
    for (String warning : loader.warnings()) {
      err.println("gatehouse: warning: " + warning);
    }
    err.flush();
    NodeConfig.Kubernetes k = config.kubernetes();
    if (k.enabled()) {
      // fail now, not after a two-minute wait for an informer that cannot sync
      KubeCredentials creds =
          KubeCredentials.resolve(k.kubeconfig(), env, KubeCredentials.SERVICE_ACCOUNT);
      Path found = creds.kubeconfig(); // null: the pod's ServiceAccount (in the cluster)
      if (found != null && k.kubeconfig().isBlank()) {
        loader.set("kubernetes.kubeconfig", found.toString(), creds.origin());
        config = loader.load();
      }
    }
    return config;
  }

  private static List<RouteSpec> routes(List<String> flags) throws ConfigException {
    List<RouteSpec> out = new ArrayList<>();
    Map<String, RouteSpec> byName = new HashMap<>();
    for (String flag : flags) {
      Validated<RouteSpec> v = RouteFlagTranslator.translate(flag);
      RouteSpec r = v.value(); // null when invalid
      if (r == null) {
        throw new ConfigException(
            v.violations().stream().map(Violation::message).findFirst().orElse(flag));
      }
      RouteSpec same = byName.get(r.key().name());
      if (same != null) {
        if (same.hosts().equals(r.hosts()) && same.paths().equals(r.paths())) {
          throw new ConfigException(
              "--route " + flag + ": the same host and path as an earlier --route");
        }
        String name = r.key().name() + "-" + (out.size() + 1);
        r = r.withKey(RouteKey.of(RouteFlagTranslator.TENANT, RouteFlagTranslator.SOURCE, name));
      }
      byName.put(r.key().name(), r);
      out.add(r);
    }
    return out;
  }

  private static CommandLine commandLine() {
    CommandSpec spec = CommandSpec.create().name("gatehouse").version("Gatehouse " + version());
    spec.mixinStandardHelpOptions(true);
    spec.usageMessage()
        .header("Gatehouse edge router", "")
        .description(
            "Routes HTTP requests by host and path to upstream servers.",
            "Precedence: defaults < --config file < GATEHOUSE_* environment < flags.",
            "gatehouse migrate --help: the ingress-nginx migration report (runs no node).",
            "gatehouse ctl --help: the admin API's command-line client (runs no node).")
        .sortOptions(false)
        .footerHeading(
            "%nConfiguration keys and defaults. Each is also an environment variable:"
                + "%nGATEHOUSE_ and the key in upper snake case, as in GATEHOUSE_LIMITS_MAX_HEADER_BYTES.%n")
        .footer(keyTable());
    spec.addOption(
        OptionSpec.builder("--config")
            .paramLabel("PATH")
            .type(String.class)
            .description("YAML configuration file (or the GATEHOUSE_CONFIG environment variable)")
            .build());
    for (KeyFlag f : KEY_FLAGS) {
      spec.addOption(
          OptionSpec.builder(f.name())
              .paramLabel(f.label())
              .type(f.type())
              .description(f.help() + " (default: " + shown(f.key()) + ")")
              .build());
    }
    spec.addOption(
        OptionSpec.builder("--trusted-proxy")
            .paramLabel("CIDR")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "proxy whose X-Forwarded-* headers are trusted; repeatable (default: "
                    + shown("proxy.trustedProxies")
                    + ")")
            .build());
    spec.addOption(
        OptionSpec.builder("--allow-client")
            .paramLabel("CIDR")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "serve only clients in this network (the real client address, before any route;"
                    + " others get 403); repeatable (default: every client)")
            .build());
    spec.addOption(
        OptionSpec.builder("--deny-client")
            .paramLabel("CIDR")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "refuse clients in this network with 403 before any route, whatever"
                    + " --allow-client says; repeatable (default: none)")
            .build());
    spec.addOption(
        OptionSpec.builder("--ingress-class")
            .paramLabel("NAME")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "an IngressClass to serve: one of gatehouse.io/ingress-controller, or nginx to"
                    + " serve ingress-nginx's Ingresses unchanged; repeatable or a comma list"
                    + " (default: every class of gatehouse.io/ingress-controller)")
            .build());
    spec.addOption(
        OptionSpec.builder("--proxy-protocol")
            .paramLabel("LISTENER")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "the listener (http or https) reads a PROXY protocol v1/v2 header first; a"
                    + " connection without a valid one is closed; repeatable (default: off)")
            .build());
    spec.addOption(
        OptionSpec.builder("--route")
            .paramLabel("SPEC")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "quick route "
                    + RouteFlagTranslator.FORM
                    + ", e.g. a.example=127.0.0.1:18081;"
                    + " repeatable (default: none)")
            .build());
    spec.addOption(
        OptionSpec.builder("--set")
            .paramLabel("KEY=VALUE")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "any configuration key listed below, e.g. limits.maxHeaderCount=50; repeatable")
            .build());
    return new CommandLine(spec);
  }

  private static String[] keyTable() {
    List<String> rows = new ArrayList<>();
    for (String key : ConfigLoader.keys()) {
      rows.add(String.format("  %-34s %s", key, shown(key)));
    }
    return rows.toArray(String[]::new);
  }

  private static String shown(String key) {
    String v = ConfigLoader.defaultText(key);
    return v.isEmpty() ? "none" : v;
  }

  private static String version() {
    String v = Cli.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }
}
