package io.gatehouse.ctl;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code gatehouse ctl}: the admin API from the command line. Exit codes a script can rely on: 0
 * done, 1 the API refused (its problem+json detail on stderr), 2 usage or input error, 3 the server
 * cannot be reached, 4 not found.
 */
public final class Ctl {
  public static final String NAME = "ctl";

  public static final int EXIT_OK = 0;
  public static final int EXIT_REFUSED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_UNREACHABLE = 3;
  public static final int EXIT_NOT_FOUND = 4;

  /** 128 + SIGINT, as a shell reports a command stopped with Ctrl-C. */
  public static final int EXIT_INTERRUPTED = 130;

  private Ctl() {}

  /** Runs {@code args} (after {@code ctl}); never exits the JVM. */
  public static int run(
      String[] args, Map<String, String> env, InputStream stdin, PrintWriter out, PrintWriter err) {
    Session session = new Session(env, stdin, out, err, new Options());
    CommandLine cl = commandLine(session);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (e, args2) -> {
          err.println("gatehouse ctl: " + e.getMessage() + " (see gatehouse ctl --help)");
          err.flush();
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, c, pr) -> {
          if (e instanceof CtlException ce) {
            if (ce.getMessage() != null && !ce.getMessage().isEmpty()) {
              err.println("gatehouse ctl: " + ce.getMessage());
            }
            err.flush();
            out.flush();
            return ce.code();
          }
          if (e instanceof InterruptedException) {
            // stopped from outside (a caller's interrupt); a shell's Ctrl-C ends the JVM first
            Thread.currentThread().interrupt();
            return EXIT_INTERRUPTED;
          }
          throw e;
        });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static CommandLine commandLine(Session session) {
    CommandLine cl = new CommandLine(new Commands.Root(session));
    cl.addSubcommand(new Commands.Get(session));
    cl.addSubcommand(new Commands.Apply(session));
    cl.addSubcommand(new Commands.Delete(session));
    cl.addSubcommand(new Commands.Rotate(session));
    cl.addSubcommand(new Commands.Explain(session));
    cl.addSubcommand(new Commands.Status(session));
    cl.addSubcommand(new Commands.Watch(session));
    CommandLine config = new CommandLine(new ContextCommands.Config(session));
    config.addSubcommand(new ContextCommands.SetContext(session));
    config.addSubcommand(new ContextCommands.UseContext(session));
    config.addSubcommand(new ContextCommands.GetContexts(session));
    config.addSubcommand(new ContextCommands.CurrentContext(session));
    config.addSubcommand(new ContextCommands.DeleteContext(session));
    cl.addSubcommand(config);
    version(cl, "Gatehouse " + version());
    return cl;
  }

  private static void version(CommandLine cl, String version) {
    cl.getCommandSpec().version(version);
    cl.getSubcommands().values().forEach(sub -> version(sub, version));
  }

  private static String version() {
    String v = Ctl.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }

  /** What every command reads and writes: the environment and the three streams. */
  record Session(
      Map<String, String> env, InputStream stdin, PrintWriter out, PrintWriter err, Options top) {}
}
