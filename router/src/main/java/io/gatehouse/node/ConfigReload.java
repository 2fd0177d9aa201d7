package io.gatehouse.node;

import io.gatehouse.edge.EdgeLimitsHolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the node's configuration file at runtime, with the routes file's all-or-nothing rule: the
 * whole configuration is read again (file, then the same environment and flags), and applied only
 * when it is valid and changes nothing but keys that can change safely ({@link #RELOADABLE}, less
 * {@link #RESTART_ONLY}). Anything else (a bad value, a listener's port) refuses the whole file,
 * says which key, and the node keeps every setting it had.
 */
final class ConfigReload {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

  /**
   * The keys (or prefixes) a reload may change: log level, access log, trusted proxies, edge limits
   * and metrics options, but for {@link #RESTART_ONLY}.
   */
  static final List<String> RELOADABLE =
      List.of("log.", "proxy.trustedProxies", "limits.", "metrics.");

  /** Keys under a reloadable prefix that still need a restart, and why (for the refusal). */
  static final Map<String, String> RESTART_ONLY = restartOnly();

  private static Map<String, String> restartOnly() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String key : EdgeLimitsHolder.RESTART_ONLY) {
      m.put(key, "the listeners' HTTP decoder and idle handler are built with it at start");
    }
    m.put(
        "metrics.enabled",
        "it registers or drops every traffic, JVM and process series and the observer every"
            + " router holds");
    return Collections.unmodifiableMap(m);
  }

  /** Applies a checked configuration; fails (nothing applied) when a resource cannot be had. */
  @FunctionalInterface
  interface Applier {
    void apply(NodeConfig next, boolean reopen) throws ConfigException;
  }

  /** How a reload ended. */
  enum Result {
    APPLIED,
    UNCHANGED,
    REFUSED
  }

  /** The last reload, for {@code /status}. */
  record Last(Instant at, Result result, String detail) {}

  private final Path file;
  private final ConfigSource source;
  private final Applier applier;
  private NodeConfig current;
  private byte @Nullable [] lastContent;
  private boolean looked;
  private volatile @Nullable Last last;
  private volatile long applied;

  ConfigReload(Path file, ConfigSource source, NodeConfig current, Applier applier) {
    this.file = file;
    this.source = source;
    this.current = current;
    this.applier = applier;
    // Not the file's bytes now: an edit made after the node read its configuration and before
    // this watch began would then look old and never apply. The first check reads the file and
    // applies nothing when it says what the node runs.
    this.lastContent = null;
    this.looked = false;
  }

  /**
   * Reloads when the file's bytes changed, or always when {@code force} (SIGHUP, which also reopens
   * the access log's file after a rotation). Blocking: call it off the event loop.
   */
  synchronized Result check(boolean force) {
    byte[] content = read(file);
    if (!force && looked && Arrays.equals(content, lastContent)) {
      return Result.UNCHANGED;
    }
    looked = true;
    lastContent = content;
    if (content == null) {
      return refuse("configuration file " + file + " cannot be read");
    }
    NodeConfig next;
    try {
      next = source.read();
    } catch (ConfigException e) {
      return refuse(e.getMessage());
    }
    List<String> changed = ConfigLoader.changedKeys(current, next);
    List<String> fixed = changed.stream().filter(k -> !reloadable(k)).toList();
    if (!fixed.isEmpty()) {
      return refuse(refusal(fixed));
    }
    if (changed.isEmpty() && !force) {
      Last before = last;
      if (before != null && before.result() == Result.REFUSED) {
        // the refused file was put back: nothing to apply, and nothing refused any more
        last = new Last(Instant.now(), Result.UNCHANGED, "the file matches the running settings");
      }
      return Result.UNCHANGED; // only comments or layout changed
    }
    try {
      applier.apply(next, force);
    } catch (ConfigException e) {
      return refuse(e.getMessage());
    }
    current = next;
    applied++;
    last = new Last(Instant.now(), Result.APPLIED, String.join(", ", changed));
    LOG.atInfo()
        .setMessage("configuration reloaded")
        .addKeyValue("file", file.toString())
        .addKeyValue("changed", changed)
        .log();
    return Result.APPLIED;
  }

  private Result refuse(@Nullable String reason) {
    String why = reason == null ? "unknown reason" : reason;
    last = new Last(Instant.now(), Result.REFUSED, why);
    LOG.atWarn()
        .setMessage("configuration reload refused; the node keeps its settings")
        .addKeyValue("file", file.toString())
        .addKeyValue("reason", why)
        .log();
    return Result.REFUSED;
  }

  static boolean reloadable(String key) {
    return !RESTART_ONLY.containsKey(key) && RELOADABLE.stream().anyMatch(key::startsWith);
  }

  /** Names each key that needs a restart (with why, when it sits among keys that reload). */
  static String refusal(List<String> fixed) {
    StringBuilder b =
        new StringBuilder("configuration key")
            .append(fixed.size() == 1 ? " " : "s ")
            .append(String.join(", ", fixed.stream().map(k -> "\"" + k + "\"").toList()))
            .append(" cannot change while the node runs (restart it to apply)");
    for (String k : fixed) {
      String why = RESTART_ONLY.get(k);
      if (why != null) {
        b.append("; \"").append(k).append("\": ").append(why);
      }
    }
    b.append("; keys that reload: ");
    List<String> keys = new ArrayList<>();
    for (String p : RELOADABLE) {
      if (!p.endsWith(".")) {
        keys.add(p);
        continue;
      }
      List<String> but = RESTART_ONLY.keySet().stream().filter(k -> k.startsWith(p)).toList();
      keys.add(p + "*" + (but.isEmpty() ? "" : " but " + String.join(", ", but)));
    }
    return b.append(String.join("; ", keys)).toString();
  }

  Path file() {
    return file;
  }

  synchronized NodeConfig current() {
    return current;
  }

  long applied() {
    return applied;
  }

  @Nullable Last last() {
    return last;
  }

  private static byte @Nullable [] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      return null;
    }
  }
}
