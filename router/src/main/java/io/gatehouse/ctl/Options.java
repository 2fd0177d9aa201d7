package io.gatehouse.ctl;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The connection flags every command takes, before or after its name. A flag wins over {@code
 * GATEHOUSE_CTL_SERVER}/{@code GATEHOUSE_CTL_TOKEN}, which win over the context.
 */
final class Options {
  static final String ENV_SERVER = "GATEHOUSE_CTL_SERVER";
  static final String ENV_TOKEN = "GATEHOUSE_CTL_TOKEN";

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "admin API URL, e.g. http://127.0.0.1:9902 (overrides the context)")
  @Nullable String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "bearer token (overrides the context; prefer --token-file)")
  @Nullable String token;

  @Option(
      names = "--token-file",
      paramLabel = "PATH",
      description = "file holding the bearer token")
  @Nullable String tokenFile;

  @Option(
      names = "--ca-file",
      paramLabel = "PATH",
      description = "PEM CA bundle the https server's certificate must chain to")
  @Nullable String caFile;

  @Option(
      names = "--insecure",
      arity = "0..1",
      paramLabel = "BOOL",
      description = "do not check the https server's certificate (tests only)")
  @Nullable Boolean insecure;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "use this context instead of the current one")
  @Nullable String context;

  @Option(
      names = {"-t", "--tenant"},
      paramLabel = "TENANT",
      description = "tenant of claims, routes, backends and certificates (overrides the context)")
  @Nullable String tenant;

  /** Where to send requests and as whom, resolved from flags, environment and context. */
  record Target(
      URI server, String token, @Nullable Path caFile, boolean insecure, @Nullable String tenant) {
    AdminClient client() throws CtlException {
      return new AdminClient(server, token, caFile, insecure, Duration.ofSeconds(30));
    }

    String tenantOrFail(Kind kind) throws CtlException {
      if (tenant == null) {
        throw CtlException.usage(
            kind.plural() + " belong to a tenant: pass --tenant or set one in the context");
      }
      return tenant;
    }
  }

  /** {@code this} where set, else {@code fallback}'s value. */
  Options over(Options fallback) {
    Options o = new Options();
    o.server = server != null ? server : fallback.server;
    o.token = token != null ? token : fallback.token;
    o.tokenFile = tokenFile != null ? tokenFile : fallback.tokenFile;
    o.caFile = caFile != null ? caFile : fallback.caFile;
    o.insecure = insecure != null ? insecure : fallback.insecure;
    o.context = context != null ? context : fallback.context;
    o.tenant = tenant != null ? tenant : fallback.tenant;
    return o;
  }

  /** The context these flags name (or the current one); null when there is none. */
  CtlConfig.@Nullable Context context(Map<String, String> env) throws CtlException {
    CtlConfig config = CtlConfig.load(CtlConfig.location(env));
    String name = context != null ? context : config.current();
    if (name.isEmpty()) {
      return null;
    }
    CtlConfig.Context c = config.find(name);
    if (c == null) {
      throw CtlException.usage(
          "context \"" + name + "\" is not in " + config.file() + " (see ctl config get-contexts)");
    }
    return c;
  }

  Target resolve(Map<String, String> env, PrintWriter err) throws CtlException {
    CtlConfig.Context c = context(env);
    String url = first(server, env.get(ENV_SERVER), c == null ? null : c.server());
    if (url == null) {
      throw CtlException.usage(
          "no server: pass --server URL or create a context"
              + " (ctl config set-context NAME --server URL --token-file PATH)");
    }
    URI uri = serverUri(url);
    String tok;
    if (token != null) {
      tok = token;
    } else if (tokenFile != null) {
      tok = readToken(tokenFile);
    } else if (env.get(ENV_TOKEN) != null && !env.get(ENV_TOKEN).isBlank()) {
      tok = env.get(ENV_TOKEN);
    } else if (c != null && !c.token().isEmpty()) {
      tok = c.token();
    } else if (c != null && !c.tokenFile().isEmpty()) {
      tok = readToken(c.tokenFile());
    } else {
      tok = "";
    }
    String ca = first(caFile, c == null ? null : c.caFile());
    boolean skip = insecure != null ? insecure : c != null && c.insecure();
    if (skip && uri.getScheme().equals("https")) {
      err.println("gatehouse ctl: warning: --insecure: the server's certificate is not checked");
    }
    String t = first(tenant, c == null ? null : c.tenant());
    return new Target(uri, tok.trim(), ca == null ? null : Path.of(ca), skip, t);
  }

  static URI serverUri(String url) throws CtlException {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    try {
      URI uri = new URI(u);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null) {
        throw CtlException.usage(
            "server: \"" + url + "\" (expected: http:// or https:// and a host)");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw CtlException.usage("server: \"" + url + "\" (expected: a URL): " + e.getReason());
    }
  }

  private static String readToken(String file) throws CtlException {
    try {
      String t = Files.readString(Path.of(file)).trim();
      if (t.isEmpty()) {
        throw CtlException.usage("token file " + file + " is empty");
      }
      return t;
    } catch (IOException e) {
      throw CtlException.usage("cannot read token file " + file + ": " + e);
    }
  }

  private static @Nullable String first(@Nullable String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
