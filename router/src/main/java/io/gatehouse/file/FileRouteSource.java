package io.gatehouse.file;

import io.gatehouse.document.SecretFiles;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.SourceApplied;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the table's {@code file} source equal to the last valid version of one routes file.
 *
 * <p>The file is loaded at {@link #start()}; a broken first version fails the start, so a node
 * never comes up on a file it cannot read. Afterwards it is polled: a change of size, modification
 * time or file identity, or a modification time too recent to trust, makes it read the file and
 * compare a SHA-256 of the content (editors replace files; Kubernetes ConfigMaps swap symlinks). A
 * changed, valid file replaces the whole source in one generation; a broken or deleted file changes
 * nothing, logs one WARN line and is reported by {@link #lastError()} until a valid version
 * appears. All file I/O, translation and table writes run on a worker thread, one at a time.
 *
 * <p>During a rolling upgrade the table may hold back a route that needs an entry format some
 * member cannot read yet: the rest of the file is applied, that route keeps its current entry (or
 * stays absent), {@link #lastError()} names it, and the file is applied again when the cluster's
 * members change.
 *
 * <p>A route with a Kubernetes {@code service} backend can get endpoints only on a node that runs
 * the Kubernetes endpoint feed. Elsewhere it is left out with a problem at its line, which {@link
 * #lastError()} reports, and the rest of the file is applied.
 */
public final class FileRouteSource {
  /** Files larger than this are refused without being read. */
  public static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(FileRouteSource.class);
  private static final Duration UNTRUSTED_MTIME = Duration.ofSeconds(2);
  private static final int MAX_PROBLEMS_SHOWN = 20;

  private final Vertx vertx;
  private final Context context;
  private final Path file;
  private final Duration pollInterval;
  private final RouteTable table;
  private final Consumer<Status> listener;
  private final boolean serviceEndpoints;
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile @Nullable AutoCloseable membership;
  // Set when the members change while routes are held back: the next poll applies the file again.
  private volatile boolean retryHeld;
  private volatile boolean holding;

  // Written only by the (ordered) blocking checks.
  private @Nullable Stamp lastStamp;
  private @Nullable String lastHash;
  private int routeCount;

  private volatile @Nullable String lastError;
  private volatile boolean stopped;
  private volatile long timerId = -1;

  /**
   * What the source last did, delivered on the source's context after every applied or rejected
   * version.
   *
   * @param routes how many routes of the file are in the table
   * @param generation the table generation after the last applied version, or -1 before the first
   * @param lastError why the newest version was refused; empty while the newest version is served
   */
  public record Status(Path file, int routes, long generation, Optional<String> lastError) {}

  /** A source on a node without Service endpoints (no Kubernetes endpoint feed). */
  public FileRouteSource(
      Vertx vertx, Path file, Duration pollInterval, RouteTable table, Consumer<Status> listener) {
    this(vertx, file, pollInterval, table, listener, false);
  }

  /**
   * @param serviceEndpoints whether the node feeds the endpoints of Kubernetes Services; without
   *     them a route with a {@code service} backend could never be served, so it is left out
   */
  public FileRouteSource(
      Vertx vertx,
      Path file,
      Duration pollInterval,
      RouteTable table,
      Consumer<Status> listener,
      boolean serviceEndpoints) {
    this.serviceEndpoints = serviceEndpoints;
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.context = vertx.getOrCreateContext();
    this.file = Objects.requireNonNull(file, "file");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.table = Objects.requireNonNull(table, "table");
    this.listener = Objects.requireNonNull(listener, "listener");
    if (pollInterval.toMillis() < 1) {
      throw new IllegalArgumentException("pollInterval must be at least 1ms");
    }
  }

  /**
   * Loads the file and starts polling. Fails, and does not poll, when the first version is missing
   * or invalid; succeeds once the table holds the file's routes.
   */
  public Future<Void> start() {
    return context
        .executeBlocking(() -> check(true))
        .compose(
            error -> {
              if (error.isPresent()) {
                return Future.failedFuture(new IllegalStateException(error.get()));
              }
              if (!stopped) {
                membership = table.onMembersChanged(() -> retryHeld = holding);
                timerId = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
              }
              return Future.succeededFuture();
            });
  }

  /** Stops polling; the table keeps the routes it has. */
  public void stop() {
    stopped = true;
    long id = timerId;
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
    AutoCloseable m = membership;
    if (m != null) {
      try {
        m.close();
      } catch (Exception e) {
        log.debug("membership listener already gone: {}", e.toString());
      }
    }
  }

  /** Why the newest version of the file is not being served, if it is not. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  public Path file() {
    return file;
  }

  private void poll() {
    if (stopped || !checking.compareAndSet(false, true)) {
      return;
    }
    context
        .executeBlocking(() -> check(false))
        .onComplete(
            ar -> {
              checking.set(false);
              if (ar.failed()) {
                log.atWarn()
                    .addKeyValue("file", file)
                    .setCause(ar.cause())
                    .log("routes file check failed");
              }
            });
  }

  /**
   * A file a route names for a secret (an {@code htpasswdFile}), relative to the routes file's
   * directory; read on the worker with the routes file, so a change to it is read with the next
   * change of the routes file (or a restart).
   */
  private String secretFile(String name) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path p = dir == null ? Path.of(name) : dir.resolve(name);
    long size;
    try {
      size = Files.size(p);
    } catch (NoSuchFileException e) {
      throw new IOException(p + " not found");
    }
    if (size > SecretFiles.MAX_BYTES) {
      throw new IOException(p + " is " + size + " bytes (at most " + SecretFiles.MAX_BYTES + ")");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(Files.readAllBytes(p)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException(p + " is not UTF-8 text");
    }
  }

  /** Runs on a worker. Returns the error that stopped the newest version, if any. */
  private Optional<String> check(boolean first) throws IOException {
    boolean retry = retryHeld;
    retryHeld = false;
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      lastStamp = null;
      lastHash = null;
      return reject(0, "file not found", List.of(), first);
    }
    Stamp stamp = new Stamp(attrs.size(), attrs.lastModifiedTime(), attrs.fileKey());
    boolean fresh =
        System.currentTimeMillis() - attrs.lastModifiedTime().toMillis()
            < UNTRUSTED_MTIME.toMillis();
    if (!first && !retry && stamp.equals(lastStamp) && !fresh) {
      return Optional.ofNullable(lastError);
    }
    lastStamp = stamp;
    if (attrs.size() > MAX_FILE_BYTES) {
      lastHash = "too-big:" + attrs.size();
      return reject(
          0, "file is " + attrs.size() + " bytes (expected: at most 16 MiB)", List.of(), first);
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length > MAX_FILE_BYTES) {
      lastHash = "too-big:" + bytes.length;
      return reject(
          0, "file is " + bytes.length + " bytes (expected: at most 16 MiB)", List.of(), first);
    }
    String hash = sha256(bytes);
    if (!first && !retry && hash.equals(lastHash)) {
      return Optional.ofNullable(lastError);
    }
    lastHash = hash;
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return reject(0, "file is not UTF-8 text", List.of(), first);
    }
    RouteFileTranslator.Result result =
        RouteFileTranslator.translate(text, serviceEndpoints, this::secretFile);
    if (!result.isValid()) {
      RouteFileTranslator.Problem p = result.problems().get(0);
      return reject(p.line(), p.message(), result.problems(), first);
    }
    if (stopped) {
      return Optional.empty();
    }
    // Backends first, so the routes naming them find them; those the file dropped go after the
    // routes, so no route of the file names them any more.
    Optional<String> backendsHeld = putBackends(result.backends());
    SourceApplied applied = table.applySource(RouteFileTranslator.SOURCE, result.routes());
    if (backendsHeld.isEmpty()) {
      backendsHeld = deleteBackends(result.backends());
    }
    long generation = applied.generation();
    routeCount = result.routes().size();
    holding =
        applied.held() != null
            || backendsHeld.filter(m -> m.startsWith("cluster-not-upgraded")).isPresent();
    if (applied.held() != null || !result.leftOut().isEmpty() || backendsHeld.isPresent()) {
      return partly(applied.held(), result.leftOut(), backendsHeld, generation);
    }
    boolean recovered = lastError != null;
    lastError = null;
    log.atInfo()
        .addKeyValue("file", file)
        .addKeyValue("routes", routeCount)
        .addKeyValue("generation", generation)
        .addKeyValue("hash", hash.substring(0, 12))
        .log(recovered ? "routes file applied after an error" : "routes file applied");
    publish(new Status(file, routeCount, generation, Optional.empty()));
    return Optional.empty();
  }

  /**
   * Puts the file's named backends that changed, in one batch; a backend of the same tenant and
   * name that another source (REST) owns is left alone. Returns why some were not written.
   */
  private Optional<String> putBackends(List<BackendObject> backends) {
    TableView view = table.view();
    List<Write> writes = new ArrayList<>();
    List<String> taken = new ArrayList<>();
    for (BackendObject b : backends) {
      BackendObject now = view.backends().get(b.key());
      if (now != null && !now.source().equals(RouteFileTranslator.SOURCE)) {
        taken.add(b.key() + " (owned by " + now.source() + ")");
      } else if (!b.equals(now)) {
        writes.add(Write.put(b));
      }
    }
    Optional<String> refused = write(writes);
    if (refused.isEmpty() && !taken.isEmpty()) {
      return Optional.of(
          "backend " + String.join(", ", taken) + " not written: another source owns it");
    }
    return refused;
  }

  /** Deletes the backends of this source that the file no longer lists. */
  private Optional<String> deleteBackends(List<BackendObject> kept) {
    Set<BackendKey> keep = new HashSet<>();
    for (BackendObject b : kept) {
      keep.add(b.key());
    }
    List<Write> writes = new ArrayList<>();
    for (BackendObject b : table.view().backends().values()) {
      if (b.source().equals(RouteFileTranslator.SOURCE) && !keep.contains(b.key())) {
        writes.add(Write.delete(EntryKey.backend(b.key())));
      }
    }
    return write(writes);
  }

  private Optional<String> write(List<Write> writes) {
    if (writes.isEmpty()) {
      return Optional.empty();
    }
    Outcome out = table.apply(new Batch(writes, false));
    if (out instanceof Outcome.NotUpgraded n) {
      return Optional.of(
          "cluster-not-upgraded: its backends need entry format "
              + n.format()
              + ", which "
              + n.members().stream().map(MemberInfo::address).collect(Collectors.joining(", "))
              + " cannot read; they are written once every member reads it");
    }
    if (!(out instanceof Outcome.Applied)) {
      return Optional.of("backends not written: " + out);
    }
    return Optional.empty();
  }

  /**
   * The file is applied but for the routes left out (this node cannot serve them) and {@code held}
   * (null for none): those keep their current entry until every member reads their format. Reported
   * like a refused version, but the start does not fail: the rest of the file is served. {@code
   * backends} says why some of its named backends were not written, if so.
   */
  private Optional<String> partly(
      Outcome.@Nullable NotUpgraded held,
      List<RouteFileTranslator.Problem> leftOut,
      Optional<String> backends,
      long generation) {
    List<String> parts = new ArrayList<>();
    if (!leftOut.isEmpty()) {
      parts.add(problemText(leftOut));
    }
    backends.ifPresent(parts::add);
    if (held != null) {
      routeCount -= held.keys().size();
      parts.add(heldText(held));
    }
    String error = "routes file " + file + ": " + String.join("; ", parts);
    if (!error.equals(lastError)) {
      lastError = error;
      log.atWarn()
          .addKeyValue("file", file)
          .addKeyValue("leftOut", leftOut.size())
          .addKeyValue("held", held == null ? 0 : held.keys().size())
          .addKeyValue("format", held == null ? null : held.format())
          .addKeyValue("routes", routeCount)
          .addKeyValue("generation", generation)
          .log("routes file applied but for what this node or the cluster cannot serve");
    }
    publish(new Status(file, routeCount, generation, lastError()));
    return Optional.empty();
  }

  /** Why {@code held}'s routes keep what the table holds. */
  private static String heldText(Outcome.NotUpgraded held) {
    StringBuilder names = new StringBuilder();
    for (EntryKey k : held.keys()) {
      // a route's id is tenant/source/name
      names
          .append(names.length() == 0 ? "" : ", ")
          .append(k.id().substring(k.id().lastIndexOf('/') + 1));
    }
    StringBuilder members = new StringBuilder();
    for (MemberInfo m : held.members()) {
      members
          .append(members.length() == 0 ? "" : ", ")
          .append(m.address())
          .append(" (")
          .append(m.version())
          .append(", reads format ")
          .append(m.readsFormat())
          .append(')');
    }
    return "cluster-not-upgraded: route "
        + names
        + " needs entry format "
        + held.format()
        + ", which "
        + members
        + " cannot read; "
        + (held.keys().size() == 1 ? "it keeps" : "they keep")
        + " what the table holds until every member reads format "
        + held.format();
  }

  /** The first {@value #MAX_PROBLEMS_SHOWN} problems, and how many more there are. */
  private static String problemText(List<RouteFileTranslator.Problem> problems) {
    return problems.stream()
            .limit(MAX_PROBLEMS_SHOWN)
            .map(RouteFileTranslator.Problem::toString)
            .collect(Collectors.joining("; "))
        + (problems.size() > MAX_PROBLEMS_SHOWN
            ? "; and " + (problems.size() - MAX_PROBLEMS_SHOWN) + " more"
            : "");
  }

  private Optional<String> reject(
      int line, String reason, List<RouteFileTranslator.Problem> problems, boolean first) {
    String detail =
        problems.isEmpty()
            ? (line > 0 ? "line " + line + ": " : "") + reason
            : problemText(problems);
    String error = "routes file " + file + ": " + detail;
    if (error.equals(lastError)) {
      return Optional.of(error);
    }
    lastError = error;
    if (!first) {
      log.atWarn()
          .addKeyValue("file", file)
          .addKeyValue("line", line)
          .addKeyValue("reason", reason)
          .addKeyValue("problems", Math.max(1, problems.size()))
          .addKeyValue("routes", routeCount)
          .log("routes file rejected; still serving the last good routes");
    }
    publish(new Status(file, routeCount, first ? -1 : table.view().generation(), lastError()));
    return Optional.of(error);
  }

  private void publish(Status status) {
    context.runOnContext(v -> listener.accept(status));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JDK", e);
    }
  }

  /** {@code fileKey} is null where the file system has no file identity. */
  private record Stamp(long size, FileTime modified, @Nullable Object fileKey) {}
}
