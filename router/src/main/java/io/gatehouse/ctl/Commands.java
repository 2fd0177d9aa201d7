package io.gatehouse.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.ctl.Ctl.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code ctl} commands: one class each, picocli-annotated, sharing the {@link Session}. */
final class Commands {
  private Commands() {}

  /** What a command's {@code -o} accepts. */
  enum Format {
    TABLE,
    YAML,
    JSON;

    static Format parse(String s) throws CtlException {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "table", "wide" -> TABLE;
        case "yaml", "yml" -> YAML;
        case "json" -> JSON;
        default ->
            throw CtlException.usage(
                "bad value for option '--output': \"" + s + "\" (expected: table, yaml or json)");
      };
    }

    String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The base of every command that talks to a server: the session and the connection flags. */
  abstract static class Base implements Callable<Integer> {
    final Session session;
    @Mixin Options options = new Options();

    Base(Session session) {
      this.session = session;
    }

    PrintWriter out() {
      return session.out();
    }

    Options.Target target() throws CtlException {
      return options.over(session.top()).resolve(session.env(), session.err());
    }

    static Kind kind(String word) throws CtlException {
      Kind k = Kind.parse(word);
      if (k == null) {
        throw CtlException.usage(
            "unknown kind \"" + word + "\" (expected one of " + Kind.known() + ")");
      }
      return k;
    }

    /** How a message names one object: {@code route/web (tenant acme)}. */
    static String what(Kind kind, @Nullable String tenant, String name) {
      return kind.singular()
          + "/"
          + name
          + (kind.tenantScoped() && tenant != null ? " (tenant " + tenant + ")" : "");
    }

    /** Every item of a kind, following the pages. */
    static List<JsonNode> list(AdminClient client, Kind kind, @Nullable String tenant)
        throws CtlException, InterruptedException {
      List<JsonNode> items = new ArrayList<>();
      String cursor = null;
      do {
        String path =
            kind.collectionPath(tenant)
                + "?limit=500"
                + (cursor == null ? "" : "&cursor=" + Kind.segment(cursor));
        String what = kind.tenantScoped() ? "tenant " + tenant : kind.plural();
        JsonNode page = body(client.ok("GET", path, null, what));
        page.path("items").forEach(items::add);
        JsonNode next = page.path("nextCursor");
        cursor = next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
      } while (cursor != null);
      return items;
    }

    static JsonNode body(AdminClient.Answer a) {
      JsonNode b = a.body();
      return b == null ? Documents.JSON.createObjectNode() : b;
    }
  }

  @Command(
      name = "gatehouse ctl",
      mixinStandardHelpOptions = true,
      description = {
        "The admin REST API from the command line.",
        "Exit codes: 0 ok, 1 the API refused (its problem detail on stderr), 2 usage or input"
            + " error, 3 cannot reach the server, 4 not found.",
        "Contexts: $GATEHOUSE_CTL_CONFIG, else ~/.config/gatehouse/ctl.yaml."
      },
      synopsisSubcommandLabel = "COMMAND")
  static final class Root extends Base {
    Root(Session session) {
      super(session);
      this.options = session.top();
    }

    @Override
    public Integer call() throws CtlException {
      throw CtlException.usage("a command is missing (see ctl --help)");
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "List objects of a kind, or show the named ones.")
  static final class Get extends Base {
    @Parameters(
        index = "0",
        paramLabel = "KIND",
        description = "tenants, claims, routes, backends, certificates or tokens")
    String kind = "";

    @Parameters(index = "1..*", paramLabel = "NAME", description = "names (default: all)")
    List<String> names = new ArrayList<>();

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default), yaml or json")
    String output = "table";

    Get(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException, InterruptedException {
      Kind k = kind(kind);
      Format format = Format.parse(output);
      Options.Target t = target();
      String tenant = k.tenantScoped() ? t.tenantOrFail(k) : null;
      AdminClient client = t.client();
      List<JsonNode> items = new ArrayList<>();
      if (names.isEmpty()) {
        items.addAll(list(client, k, tenant));
      } else {
        for (String name : names) {
          items.add(body(client.ok("GET", k.itemPath(tenant, name), null, what(k, tenant, name))));
        }
      }
      print(k, items, format, names.size() == 1);
      return Ctl.EXIT_OK;
    }

    private void print(Kind k, List<JsonNode> items, Format format, boolean one) {
      PrintWriter out = out();
      if (format == Format.TABLE) {
        if (items.isEmpty()) {
          session.err().println("No " + k.plural() + " found.");
          return;
        }
        Table.print(out, k.columns(), items.stream().map(k::row).toList());
        return;
      }
      if (one) {
        out.print(Documents.write(Documents.labelled(k, items.get(0)), format.text()));
      } else {
        ObjectNode list = Documents.JSON.createObjectNode();
        ArrayNode array = list.putArray("items");
        items.forEach(i -> array.add(Documents.labelled(k, i)));
        out.print(Documents.write(list, format.text()));
      }
      out.flush();
    }
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = {
        "Create or replace the objects in YAML or JSON files (-f - reads stdin), in order.",
        "Each object names its kind: tenant, claim, route, backend, certificate or token.",
        "A certificate reads certFile and keyFile (relative to its file); a token is created.",
        "Stops at the first object the API refuses."
      })
  static final class Apply extends Base {
    @Option(
        names = {"-f", "--filename"},
        required = true,
        paramLabel = "FILE",
        description = "file to apply, or - for stdin; repeatable")
    List<String> files = new ArrayList<>();

    @Option(
        names = "--wait",
        description = "answer once every live node serves each write (wait=all)")
    boolean await;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default: one line each), yaml or json (the answers)")
    String output = "table";

    Apply(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException, InterruptedException {
      Format format = Format.parse(output);
      List<Documents.Doc> docs = new ArrayList<>();
      for (String f : files) {
        docs.addAll(Documents.read(f, session.stdin()));
      }
      Options.Target t = target();
      List<Write> writes = new ArrayList<>();
      for (Documents.Doc d : docs) {
        writes.add(Write.of(d, t));
      }
      AdminClient client = t.client();
      List<JsonNode> answers = new ArrayList<>();
      List<JsonNode> tokens = null;
      for (Write w : writes) {
        if (w.doc().kind() == Kind.TOKEN) {
          if (tokens == null) {
            tokens = list(client, Kind.TOKEN, null);
          }
          JsonNode same = sameToken(tokens, w.body());
          if (same != null) {
            // re-applying a file must not mint a token each time; the secret is never shown again
            if (format == Format.TABLE) {
              out()
                  .println(
                      "token/"
                          + Kind.TOKEN.nameOf(same)
                          + " unchanged (a token of this tenant with this description exists)");
              out().flush();
            } else {
              answers.add(Documents.labelled(Kind.TOKEN, same));
            }
            continue;
          }
        }
        AdminClient.Answer a =
            client.send(w.method(), w.path() + (await ? "?wait=all" : ""), w.body());
        if (a.status() < 200 || a.status() >= 300) {
          CtlException refused = AdminClient.refused(a, w.label());
          throw new CtlException(refused.code(), w.where() + ": " + refused.getMessage());
        }
        JsonNode answer = body(a);
        if (a.status() == 202) {
          session
              .err()
              .println(
                  "gatehouse ctl: warning: "
                      + w.label()
                      + " written, but not served by every node yet: "
                      + lagging(answer));
        }
        if (format == Format.TABLE) {
          out().println(w.label() + " " + verb(w, a) + revision(answer) + secret(w, answer));
          out().flush();
        } else {
          answers.add(Documents.labelled(w.doc().kind(), answer));
        }
      }
      if (format != Format.TABLE) {
        JsonNode printed;
        if (answers.size() == 1) {
          printed = answers.get(0);
        } else {
          ObjectNode list = Documents.JSON.createObjectNode();
          list.putArray("items").addAll(answers);
          printed = list;
        }
        out().print(Documents.write(printed, format.text()));
        out().flush();
      }
      return Ctl.EXIT_OK;
    }

    /** A token with the same tenant (none: an admin token) and the same non-empty description. */
    private static @Nullable JsonNode sameToken(List<JsonNode> tokens, @Nullable JsonNode body) {
      String description = body == null ? "" : body.path("description").asText("");
      if (body == null || description.isEmpty()) {
        return null;
      }
      String tenant = body.path("tenant").asText("");
      for (JsonNode t : tokens) {
        if (t.path("description").asText("").equals(description)
            && t.path("tenant").asText("").equals(tenant)
            && t.path("admin").asBoolean(false) == tenant.isEmpty()) {
          return t;
        }
      }
      return null;
    }

    private static String verb(Write w, AdminClient.Answer a) {
      if (a.status() == 202) {
        return "written";
      }
      return a.status() == 201 ? "created" : w.doc().kind() == Kind.TOKEN ? "created" : "applied";
    }

    private static String revision(JsonNode answer) {
      JsonNode r = answer.path("revision");
      return r.isNumber() ? " (revision " + r.asLong() + ")" : "";
    }

    /** A new token's secret: in this answer only, so it is printed once, here. */
    private static String secret(Write w, JsonNode answer) {
      String token = answer.path("token").asText("");
      return w.doc().kind() == Kind.TOKEN && !token.isEmpty()
          ? "\n  token (shown once): " + token
          : "";
    }

    private static String lagging(JsonNode answer) {
      List<String> ids = new ArrayList<>();
      answer.path("lagging").forEach(m -> ids.add(m.path("id").asText(m.path("address").asText())));
      return ids.isEmpty() ? "(unknown)" : String.join(", ", ids);
    }
  }

  /** One write of {@code apply}: what to send where. */
  record Write(
      Documents.Doc doc, String method, String path, @Nullable JsonNode body, String label) {
    String where() {
      return doc.where();
    }

    static Write of(Documents.Doc d, Options.Target t) throws CtlException {
      Kind k = d.kind();
      String tenant = tenantOf(d, t);
      String name = d.name();
      String label = Base.what(k, tenant, name);
      ObjectNode body = Documents.body(d.node());
      return switch (k) {
        case TENANT -> {
          ObjectNode b = Documents.JSON.createObjectNode();
          if (body.has("displayName")) {
            b.set("displayName", body.get("displayName"));
          }
          yield new Write(d, "PUT", k.itemPath(null, name), b, label);
        }
        case CLAIM -> new Write(d, "PUT", k.itemPath(tenant, name), null, label);
        case ROUTE, BACKEND -> {
          body.remove(List.of("name", "tenant"));
          yield new Write(d, "PUT", k.itemPath(tenant, name), body, label);
        }
        case CERTIFICATE -> new Write(d, "PUT", k.itemPath(tenant, name), certificate(d), label);
        case TOKEN -> {
          if (!name.isEmpty()) {
            throw CtlException.usage(
                d.where()
                    + ": a token cannot be changed (id \""
                    + name
                    + "\"); leave out id to create one, or revoke it with ctl delete token "
                    + name);
          }
          ObjectNode b = Documents.JSON.createObjectNode();
          for (String f : List.of("tenant", "description")) {
            if (body.has(f)) {
              b.set(f, body.get(f));
            }
          }
          yield new Write(d, "POST", k.collectionPath(null), b, "token");
        }
      };
    }

    /**
     * The tenant of a tenant-scoped document: its own {@code tenant} field, else the flag's or the
     * context's; a document and a flag that disagree are refused.
     */
    static @Nullable String tenantOf(Documents.Doc d, Options.Target t) throws CtlException {
      Kind k = d.kind();
      if (!k.tenantScoped()) {
        return null;
      }
      String own = d.node().path("tenant").asText("");
      if (!own.isEmpty() && t.tenant() != null && !own.equals(t.tenant())) {
        throw CtlException.usage(
            d.where() + ": tenant \"" + own + "\" is not --tenant \"" + t.tenant() + "\"");
      }
      return own.isEmpty() ? t.tenantOrFail(k) : own;
    }

    /** The chain and key, inline or read from {@code certFile}/{@code keyFile}; never printed. */
    private static ObjectNode certificate(Documents.Doc d) throws CtlException {
      ObjectNode b = Documents.JSON.createObjectNode();
      String key = pem(d, "privateKeyPem", "keyFile");
      b.put("certificateChainPem", pem(d, "certificateChainPem", "certFile"));
      b.put("privateKeyPem", key);
      return b;
    }

    private static String pem(Documents.Doc d, String inline, String fileField)
        throws CtlException {
      String text = d.node().path(inline).asText("");
      if (!text.isEmpty()) {
        return text;
      }
      String file = d.node().path(fileField).asText("");
      if (file.isEmpty()) {
        throw CtlException.usage(
            d.where()
                + ": "
                + fileField
                + " or "
                + inline
                + " is missing (a certificate read back from the API has no key: apply needs it)");
      }
      Path p = d.dir().resolve(file);
      try {
        return Files.readString(p);
      } catch (IOException e) {
        throw CtlException.usage(d.where() + ": " + fileField + ": cannot read " + p + ": " + e);
      }
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = {
        "Delete named objects (KIND NAME...) or the objects in files (-f).",
        "A token is revoked. Exit 4 when one does not exist."
      })
  static final class Delete extends Base {
    @Parameters(paramLabel = "KIND NAME", description = "a kind and one or more names")
    List<String> words = new ArrayList<>();

    @Option(
        names = {"-f", "--filename"},
        paramLabel = "FILE",
        description = "delete the objects this file describes; repeatable")
    List<String> files = new ArrayList<>();

    @Option(
        names = "--wait",
        description = "answer once every live node serves each delete (wait=all)")
    boolean await;

    Delete(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException, InterruptedException {
      record Gone(Kind kind, @Nullable String tenant, String name, String where) {}
      List<Gone> targets = new ArrayList<>();
      Options.Target t;
      if (!files.isEmpty()) {
        if (!words.isEmpty()) {
          throw CtlException.usage("delete names (KIND NAME...) or files (-f), not both");
        }
        List<Documents.Doc> docs = new ArrayList<>();
        for (String f : files) {
          docs.addAll(Documents.read(f, session.stdin()));
        }
        t = target();
        for (Documents.Doc d : docs) {
          if (d.name().isEmpty()) {
            throw CtlException.usage(d.where() + ": " + d.kind().nameField() + " is missing");
          }
          targets.add(new Gone(d.kind(), Write.tenantOf(d, t), d.name(), d.where() + ": "));
        }
      } else {
        if (words.size() < 2) {
          throw CtlException.usage("delete needs a kind and a name, or -f FILE");
        }
        Kind k = kind(words.get(0));
        t = target();
        String tenant = k.tenantScoped() ? t.tenantOrFail(k) : null;
        for (String name : words.subList(1, words.size())) {
          targets.add(new Gone(k, tenant, name, ""));
        }
      }
      AdminClient client = t.client();
      for (Gone d : targets) {
        String label = what(d.kind(), d.tenant(), d.name());
        AdminClient.Answer a =
            client.send(
                "DELETE",
                d.kind().itemPath(d.tenant(), d.name()) + (await ? "?wait=all" : ""),
                null);
        if (a.status() < 200 || a.status() >= 300) {
          CtlException refused = AdminClient.refused(a, label);
          throw new CtlException(refused.code(), d.where() + refused.getMessage());
        }
        out().println(label + (d.kind() == Kind.TOKEN ? " revoked" : " deleted"));
        out().flush();
      }
      return Ctl.EXIT_OK;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Replace a token's secret (admin); the old secret stops working at once.",
        "The new token is printed once."
      })
  static final class Rotate extends Base {
    @Parameters(index = "0", paramLabel = "token", description = "the kind: token")
    String kind = "";

    @Parameters(index = "1", paramLabel = "ID", description = "the token's id")
    String id = "";

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default: one line), yaml or json (the answer, with the token)")
    String output = "table";

    Rotate(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException, InterruptedException {
      if (kind(kind) != Kind.TOKEN) {
        throw CtlException.usage("only tokens rotate: ctl rotate token ID");
      }
      Format format = Format.parse(output);
      JsonNode answer =
          body(
              target()
                  .client()
                  .ok(
                      "POST",
                      Kind.TOKEN.itemPath(null, id) + "/rotate",
                      null,
                      what(Kind.TOKEN, null, id)));
      if (format == Format.TABLE) {
        out()
            .println(
                "token/" + id + " rotated\n  token (shown once): " + answer.path("token").asText());
      } else {
        out().print(Documents.write(Documents.labelled(Kind.TOKEN, answer), format.text()));
      }
      out().flush();
      return Ctl.EXIT_OK;
    }
  }

  @Command(
      name = "explain",
      mixinStandardHelpOptions = true,
      description = "What this node would do with a request to URL, and why (nothing is sent).")
  static final class Explain extends Base {
    @Parameters(index = "0", paramLabel = "URL", description = "absolute http:// or https:// URL")
    String url = "";

    @Option(
        names = {"-X", "--method"},
        paramLabel = "METHOD",
        description = "request method (default: GET)")
    String method = "GET";

    @Option(
        names = {"-H", "--header"},
        paramLabel = "NAME: VALUE",
        description = "a request header; repeatable")
    List<String> headers = new ArrayList<>();

    @Option(names = "--sni", paramLabel = "NAME", description = "TLS SNI name (https only)")
    @Nullable String sni;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default: a summary), yaml or json (the whole answer)")
    String output = "table";

    Explain(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException, InterruptedException {
      Format format = Format.parse(output);
      ObjectNode body = Documents.JSON.createObjectNode();
      body.put("method", method);
      body.put("url", url);
      if (!headers.isEmpty()) {
        ObjectNode h = body.putObject("headers");
        for (String header : headers) {
          int colon = header.indexOf(':');
          if (colon <= 0) {
            throw CtlException.usage(
                "bad value for option '--header': \"" + header + "\" (expected: NAME: VALUE)");
          }
          h.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
      }
      if (sni != null) {
        body.put("sni", sni);
      }
      JsonNode answer = body(target().client().ok("POST", "/v1/explain", body, "explain"));
      if (format != Format.TABLE) {
        out().print(Documents.write(answer, format.text()));
      } else {
        summary(answer).forEach((k, v) -> out().printf("%-12s %s%n", k + ":", Table.clean(v)));
      }
      out().flush();
      return Ctl.EXIT_OK;
    }

    /** The answer's main lines: outcome, route, why, backend, certificate, generation. */
    static Map<String, String> summary(JsonNode a) {
      Map<String, String> s = new LinkedHashMap<>();
      s.put("outcome", a.path("outcome").asText());
      JsonNode route = a.path("route");
      s.put(
          "route",
          route.isObject()
              ? route.path("tenant").asText()
                  + "/"
                  + route.path("name").asText()
                  + " (source "
                  + route.path("source").asText()
                  + ", revision "
                  + route.path("revision").asText()
                  + ")"
              : "<none>");
      JsonNode reason = a.path("reason");
      if (reason.has("hostLevel")) {
        String host = reason.path("host").isTextual() ? " " + reason.path("host").asText() : "";
        s.put("host", reason.path("hostLevel").asText() + host);
      }
      if (reason.path("pathType").isTextual()) {
        s.put("path", reason.path("pathType").asText() + " " + reason.path("pathValue").asText(""));
      }
      List<String> conditions = new ArrayList<>();
      reason.path("conditions").forEach(c -> conditions.add(c.asText()));
      if (!conditions.isEmpty()) {
        s.put("conditions", String.join("; ", conditions));
      }
      for (JsonNode p : reason.path("passedOver")) {
        s.merge(
            "passed over",
            p.path("route").asText() + " (" + p.path("failed").asText() + ")",
            (x, y) -> x + "; " + y);
      }
      if (reason.path("detail").isTextual()) {
        s.put("detail", reason.path("detail").asText());
      }
      JsonNode backends = a.path("backends");
      if (backends.size() > 1) {
        List<String> parts = new ArrayList<>();
        backends.forEach(
            b -> parts.add(endpoints(b) + " (weight " + b.path("weight").asText() + ")"));
        s.put("backends", String.join("; ", parts));
      } else if (a.path("backend").isObject()) {
        s.put(
            "backend",
            a.path("backend").path("protocol").asText("http1")
                + " "
                + endpoints(a.path("backend")));
      }
      JsonNode split = a.path("split");
      if (split.isObject()) {
        s.put("split", split.path("decision").asText() + " " + split.path("detail").asText(""));
      }
      JsonNode tls = a.path("tls");
      JsonNode cert = tls.path("certificate");
      if (cert.isObject()) {
        s.put(
            "certificate",
            cert.path("name").asText()
                + (cert.path("default").asBoolean(false) ? " (default)" : "")
                + ", not after "
                + cert.path("notAfter").asText());
      }
      if (a.path("redirect").path("redirected").asBoolean(false)) {
        s.put("redirect", "to https");
      }
      s.put("generation", a.path("generation").asText());
      return s;
    }

    private static String endpoints(JsonNode backend) {
      List<String> out = new ArrayList<>();
      for (JsonNode e : backend.path("endpoints")) {
        out.add(e.path("address").asText() + " (weight " + e.path("weight").asText("1") + ")");
      }
      return out.isEmpty() ? "no endpoints" : String.join(", ", out);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "The cluster's members and the generation each serves (admin token).")
  static final class Status extends Base {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default), yaml or json")
    String output = "table";

    Status(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException, InterruptedException {
      Format format = Format.parse(output);
      JsonNode cluster = body(target().client().ok("GET", "/v1/cluster", null, "cluster"));
      if (format != Format.TABLE) {
        out().print(Documents.write(cluster, format.text()));
        out().flush();
        return Ctl.EXIT_OK;
      }
      long generation = cluster.path("generation").asLong();
      out().println("generation: " + generation);
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode m : cluster.path("members")) {
        long served = m.path("servedGeneration").asLong();
        rows.add(
            List.of(
                Kind.text(m, "id") + (m.path("local").asBoolean(false) ? " (this node)" : ""),
                Kind.text(m, "address"),
                served + (served < generation ? " (behind)" : ""),
                Kind.text(m, "version"),
                Kind.text(m, "startedAt")));
      }
      Table.print(out(), List.of("MEMBER", "ADDRESS", "SERVED", "VERSION", "STARTED"), rows);
      return Ctl.EXIT_OK;
    }
  }

  @Command(
      name = "watch",
      mixinStandardHelpOptions = true,
      description = {
        "Print a line when an object of KIND is added, changed or deleted (polls; Ctrl-C stops).",
        "The objects present at the start are printed as ADDED."
      })
  static final class Watch extends Base {
    @Parameters(
        index = "0",
        paramLabel = "KIND",
        description = "tenants, claims, routes, backends, certificates or tokens")
    String kind = "";

    @Option(
        names = "--interval",
        paramLabel = "DURATION",
        description = "time between polls, e.g. 2s or 500ms (default: 2s)")
    String interval = "2s";

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "table (default: one line each), yaml or json (one object per line)")
    String output = "table";

    Watch(Session session) {
      super(session);
    }

    @Override
    public Integer call() throws CtlException {
      Kind k = kind(kind);
      Format format = Format.parse(output);
      Duration every = duration(interval);
      Options.Target t = target();
      String tenant = k.tenantScoped() ? t.tenantOrFail(k) : null;
      AdminClient client = t.client();
      Map<String, JsonNode> seen = new LinkedHashMap<>();
      try {
        while (true) {
          Map<String, JsonNode> now = new LinkedHashMap<>();
          for (JsonNode item : list(client, k, tenant)) {
            now.put(k.nameOf(item), item);
          }
          for (Map.Entry<String, JsonNode> e : now.entrySet()) {
            JsonNode before = seen.get(e.getKey());
            if (before == null) {
              event("ADDED", k, e.getValue(), format);
            } else if (!before.path("revision").equals(e.getValue().path("revision"))) {
              event("MODIFIED", k, e.getValue(), format);
            }
          }
          for (Map.Entry<String, JsonNode> e : seen.entrySet()) {
            if (!now.containsKey(e.getKey())) {
              event("DELETED", k, e.getValue(), format);
            }
          }
          seen = now;
          Thread.sleep(every.toMillis());
        }
      } catch (InterruptedException e) {
        // Ctrl-C in a terminal ends the JVM; an interrupted caller ends the watch the same way
        Thread.currentThread().interrupt();
        return Ctl.EXIT_OK;
      }
    }

    private void event(String type, Kind k, JsonNode item, Format format) {
      PrintWriter out = out();
      if (format == Format.TABLE) {
        out.println(
            type
                + " "
                + k.singular()
                + "/"
                + Table.clean(k.nameOf(item))
                + (item.path("revision").isNumber()
                    ? " (revision " + item.path("revision").asLong() + ")"
                    : ""));
      } else {
        ObjectNode e = Documents.JSON.createObjectNode();
        e.put("type", type);
        e.set("object", Documents.labelled(k, item));
        if (format == Format.JSON) {
          out.println(e.toString());
        } else {
          out.print("---\n" + Documents.write(e, "yaml"));
        }
      }
      out.flush();
    }

    static Duration duration(String s) throws CtlException {
      String v = s.trim().toLowerCase(Locale.ROOT);
      try {
        Duration d;
        if (v.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        } else if (v.endsWith("s")) {
          d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        } else if (v.endsWith("m")) {
          d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        } else {
          d = Duration.parse(s);
        }
        if (d.toMillis() < 100) {
          throw CtlException.usage("--interval: \"" + s + "\" (expected: at least 100ms)");
        }
        return d;
      } catch (NumberFormatException | DateTimeParseException e) {
        throw CtlException.usage(
            "bad value for option '--interval': \"" + s + "\" (expected: e.g. 2s, 500ms, 1m)");
      }
    }
  }
}
