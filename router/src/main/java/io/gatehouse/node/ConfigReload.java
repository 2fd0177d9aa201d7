package io.gatehouse.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the node's configuration file at runtime, with the routes file's all-or-nothing rule: the
 * whole configuration is read again (file, then the same environment and flags), and applied only
 * when it is valid and changes nothing but keys that can change safely ({@link #RELOADABLE}).
 * Anything else (a bad value, a listener's port) refuses the whole file, says which key, and the
 * node keeps every setting it had.
 */
final class ConfigReload {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

  /** The keys (or prefixes) a reload may change: log level, access log, trusted proxies. */
  static final List<String> RELOADABLE = List.of("log.", "proxy.trustedProxies");

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
  private volatile @Nullable Last last;
  private volatile long applied;

  ConfigReload(Path file, ConfigSource source, NodeConfig current, Applier applier) {
    this.file = file;
    this.source = source;
    this.current = current;
    this.applier = applier;
    this.lastContent = read(file);
  }

  /**
   * Reloads when the file's bytes changed, or always when {@code force} (SIGHUP, which also reopens
   * the access log's file after a rotation). Blocking: call it off the event loop.
   */
  synchronized Result check(boolean force) {
    byte[] content = read(file);
    if (!force && Arrays.equals(content, lastContent)) {
      return Result.UNCHANGED;
    }
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
      return refuse(
          "configuration key"
              + (fixed.size() == 1 ? " " : "s ")
              + String.join(", ", fixed.stream().map(k -> "\"" + k + "\"").toList())
              + " cannot change while the node runs (restart it to apply); keys that reload: "
              + String.join(
                  ", ", RELOADABLE.stream().map(p -> p.endsWith(".") ? p + "*" : p).toList()));
    }
    if (changed.isEmpty() && !force) {
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
    return RELOADABLE.stream().anyMatch(key::startsWith);
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
