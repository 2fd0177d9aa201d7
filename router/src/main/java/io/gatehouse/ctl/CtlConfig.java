package io.gatehouse.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The contexts file: named servers with their token (or token file), CA file or insecure flag and
 * default tenant, and which one is current. {@code $GATEHOUSE_CTL_CONFIG}, else {@code
 * $XDG_CONFIG_HOME/gatehouse/ctl.yaml}, else {@code ~/.config/gatehouse/ctl.yaml}. Written with
 * owner-only permissions, since a context may hold a token.
 */
final class CtlConfig {
  static final String ENV_CONFIG = "GATEHOUSE_CTL_CONFIG";

  /** One context; empty strings are unset. */
  record Context(
      String name,
      String server,
      String token,
      String tokenFile,
      String caFile,
      boolean insecure,
      String tenant) {}

  private final Path file;
  private final List<Context> contexts;
  private String current;

  private CtlConfig(Path file, List<Context> contexts, String current) {
    this.file = file;
    this.contexts = contexts;
    this.current = current;
  }

  static Path location(Map<String, String> env) {
    String explicit = env.get(ENV_CONFIG);
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(env.getOrDefault("HOME", System.getProperty("user.home", ".")), ".config");
    return base.resolve("gatehouse").resolve("ctl.yaml");
  }

  /** Reads {@code file}; a missing file has no contexts. A broken one is a usage error. */
  static CtlConfig load(Path file) throws CtlException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return new CtlConfig(file, new ArrayList<>(), "");
    } catch (IOException e) {
      throw CtlException.usage("cannot read " + file + ": " + e.getMessage());
    }
    JsonNode root;
    try {
      root = Documents.YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw CtlException.usage(file + ": not YAML: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return new CtlConfig(file, new ArrayList<>(), "");
    }
    if (!root.isObject()) {
      throw CtlException.usage(file + ": expected a mapping with contexts and current-context");
    }
    List<Context> contexts = new ArrayList<>();
    for (JsonNode c : root.path("contexts")) {
      String name = c.path("name").asText("");
      if (name.isEmpty()) {
        throw CtlException.usage(file + ": contexts: a context without a name");
      }
      contexts.add(
          new Context(
              name,
              c.path("server").asText(""),
              c.path("token").asText(""),
              c.path("tokenFile").asText(""),
              c.path("caFile").asText(""),
              c.path("insecure").asBoolean(false),
              c.path("tenant").asText("")));
    }
    return new CtlConfig(file, contexts, root.path("current-context").asText(""));
  }

  Path file() {
    return file;
  }

  List<Context> contexts() {
    return List.copyOf(contexts);
  }

  String current() {
    return current;
  }

  @Nullable Context find(String name) {
    for (Context c : contexts) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** Adds or replaces {@code context}; the first context becomes the current one. */
  void put(Context context) {
    contexts.removeIf(c -> c.name().equals(context.name()));
    contexts.add(context);
    if (current.isEmpty()) {
      current = context.name();
    }
  }

  boolean remove(String name) {
    boolean removed = contexts.removeIf(c -> c.name().equals(name));
    if (removed && current.equals(name)) {
      current = "";
    }
    return removed;
  }

  void use(String name) {
    current = name;
  }

  /** Writes the file in one step, readable by its owner only. */
  void save() throws CtlException {
    ObjectNode root = Documents.YAML.createObjectNode();
    root.put("current-context", current);
    ArrayNode list = root.putArray("contexts");
    for (Context c : contexts) {
      ObjectNode n = list.addObject();
      n.put("name", c.name());
      putIfSet(n, "server", c.server());
      putIfSet(n, "token", c.token());
      putIfSet(n, "tokenFile", c.tokenFile());
      putIfSet(n, "caFile", c.caFile());
      if (c.insecure()) {
        n.put("insecure", true);
      }
      putIfSet(n, "tenant", c.tenant());
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Path tmp = Files.createTempFile(dir, ".ctl", ".tmp");
      try {
        ownerOnly(tmp);
        Files.writeString(tmp, Documents.YAML.writeValueAsString(root));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw CtlException.usage("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static void ownerOnly(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the platform's defaults apply
    }
  }

  private static void putIfSet(ObjectNode n, String field, String value) {
    if (!value.isEmpty()) {
      n.put(field, value);
    }
  }
}
