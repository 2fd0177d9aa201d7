package io.gatehouse.ctl;

import io.gatehouse.ctl.Ctl.Session;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ctl config ...}: the contexts file; these commands never talk to a server. */
final class ContextCommands {
  private ContextCommands() {}

  @Command(
      name = "config",
      mixinStandardHelpOptions = true,
      description = "Contexts: a server, its token or token file, a CA file and a default tenant.",
      synopsisSubcommandLabel = "COMMAND")
  static final class Config extends ConfigBase {
    Config(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException {
      throw CtlException.usage(
          "config needs a command: set-context, use-context, get-contexts, current-context,"
              + " delete-context");
    }
  }

  /** The context commands: they read and write the contexts file, never a server. */
  abstract static class ConfigBase extends Commands.Base {
    ConfigBase(Session session) {
      super(session);
    }

    CtlConfig load() throws CtlException {
      return CtlConfig.load(CtlConfig.location(session.env()));
    }
  }

  @Command(
      name = "set-context",
      mixinStandardHelpOptions = true,
      description = {
        "Create or update a context from --server, --token or --token-file, --ca-file,"
            + " --insecure and --tenant; unset flags keep the context's values.",
        "The first context becomes the current one."
      })
  static final class SetContext extends ConfigBase {
    @Parameters(index = "0", paramLabel = "NAME")
    String name = "";

    SetContext(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException {
      Options o = options.over(session.top());
      CtlConfig config = load();
      CtlConfig.Context old = config.find(name);
      if (o.server != null) {
        Options.serverUri(o.server);
      }
      String token = pick(o.token, old == null ? "" : old.token());
      String tokenFile = pick(o.tokenFile, old == null ? "" : old.tokenFile());
      if (o.token != null) {
        tokenFile = "";
      } else if (o.tokenFile != null) {
        token = "";
      }
      CtlConfig.Context c =
          new CtlConfig.Context(
              name,
              pick(o.server, old == null ? "" : old.server()),
              token,
              tokenFile,
              pick(o.caFile, old == null ? "" : old.caFile()),
              o.insecure != null ? o.insecure : old != null && old.insecure(),
              pick(o.tenant, old == null ? "" : old.tenant()));
      config.put(c);
      config.save();
      out()
          .println(
              "context \""
                  + name
                  + "\" "
                  + (old == null ? "created" : "updated")
                  + " in "
                  + config.file());
      out().flush();
      return Ctl.EXIT_OK;
    }

    private static String pick(@Nullable String flag, String old) {
      return flag != null ? flag : old;
    }
  }

  @Command(
      name = "use-context",
      mixinStandardHelpOptions = true,
      description = "Make NAME the current context.")
  static final class UseContext extends ConfigBase {
    @Parameters(index = "0", paramLabel = "NAME")
    String name = "";

    UseContext(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException {
      CtlConfig config = load();
      if (config.find(name) == null) {
        throw new CtlException(
            Ctl.EXIT_NOT_FOUND, "context \"" + name + "\" not found in " + config.file());
      }
      config.use(name);
      config.save();
      out().println("current context: " + name);
      out().flush();
      return Ctl.EXIT_OK;
    }
  }

  @Command(
      name = "get-contexts",
      mixinStandardHelpOptions = true,
      description = "List the contexts (tokens are never shown).")
  static final class GetContexts extends ConfigBase {
    GetContexts(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException {
      CtlConfig config = load();
      if (config.contexts().isEmpty()) {
        session.err().println("No contexts in " + config.file() + ".");
        return Ctl.EXIT_OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (CtlConfig.Context c : config.contexts()) {
        String auth =
            !c.token().isEmpty()
                ? "token"
                : !c.tokenFile().isEmpty() ? "file " + c.tokenFile() : "<none>";
        String tls = c.insecure() ? "insecure" : c.caFile().isEmpty() ? "<default>" : c.caFile();
        rows.add(
            List.of(
                c.name().equals(config.current()) ? "*" : "",
                c.name(),
                c.server().isEmpty() ? "<none>" : c.server(),
                c.tenant().isEmpty() ? "<none>" : c.tenant(),
                auth,
                tls));
      }
      Table.print(out(), List.of("CURRENT", "NAME", "SERVER", "TENANT", "AUTH", "CA"), rows);
      return Ctl.EXIT_OK;
    }
  }

  @Command(
      name = "current-context",
      mixinStandardHelpOptions = true,
      description = "Print the current context's name.")
  static final class CurrentContext extends ConfigBase {
    CurrentContext(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException {
      CtlConfig config = load();
      if (config.current().isEmpty()) {
        throw new CtlException(Ctl.EXIT_NOT_FOUND, "no current context in " + config.file());
      }
      out().println(config.current());
      out().flush();
      return Ctl.EXIT_OK;
    }
  }

  @Command(
      name = "delete-context",
      mixinStandardHelpOptions = true,
      description = "Remove a context.")
  static final class DeleteContext extends ConfigBase {
    @Parameters(index = "0", paramLabel = "NAME")
    String name = "";

    DeleteContext(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException {
      CtlConfig config = load();
      if (!config.remove(name)) {
        throw new CtlException(
            Ctl.EXIT_NOT_FOUND, "context \"" + name + "\" not found in " + config.file());
      }
      config.save();
      out().println("context \"" + name + "\" deleted");
      out().flush();
      return Ctl.EXIT_OK;
    }
  }
}
