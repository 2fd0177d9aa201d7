package io.gatehouse.table;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The table of validated routes, certificates, tenants, host claims and tokens. Every batch that
 * changes something advances the generation by one; a batch that changes nothing leaves it alone
 * and notifies no one. Writes block (a clustered table waits for its backups and its disk): call
 * them off the event loop.
 */
public interface RouteTable extends AutoCloseable {
  /** The newest view this node holds. */
  TableView view();

  /** Applies {@code batch} all-or-nothing, or returns the conditions that failed. */
  Outcome apply(Batch batch);

  /** Puts or replaces one route, durably; returns the generation that contains it. */
  default long put(RouteSpec route) {
    return generationOf(apply(Batch.of(Write.put(route))));
  }

  /** Removes one route if present, durably; returns the generation without it. */
  default long remove(RouteKey key) {
    return generationOf(apply(Batch.of(Write.delete(EntryKey.route(key)))));
  }

  /**
   * Makes {@code routes} the whole content of {@code source} in one generation (a file or a
   * Kubernetes resync), except the routes held back because some member cannot read the format they
   * need (see {@link SourceApplied#held}): those keep their current entry as it is. Every route
   * must have that source. Not durable: these sources rebuild their routes themselves.
   */
  SourceApplied applySource(String source, Collection<RouteSpec> routes);

  /**
   * {@link #applySource}, for a caller whose routes every member reads (one static backend each):
   * the generation only.
   */
  default long replaceSource(String source, Collection<RouteSpec> routes) {
    return applySource(source, routes).generation();
  }

  /** Calls {@code listener} with the current view now and after every change. */
  AutoCloseable subscribe(Consumer<TableView> listener);

  /** The router reports that it now serves {@code generation}. */
  void served(long generation);

  /**
   * Completes when every live member serves {@code generation} or later, or when {@code timeout}
   * passes; the report says which members lag.
   */
  CompletableFuture<ServedReport> awaitServed(long generation, Duration timeout);

  /** The members this node sees, itself included. */
  List<MemberInfo> members();

  /**
   * Calls {@code listener} after a member joins or leaves (so a write refused for a member that
   * could not read it may be tried again), on a thread of the table's: it must not block. A table
   * of one node never calls it.
   */
  default AutoCloseable onMembersChanged(Runnable listener) {
    return () -> {};
  }

  @Override
  default void close() {}

  private static long generationOf(Outcome outcome) {
    if (outcome instanceof Outcome.Applied applied) {
      return applied.generation();
    }
    throw new IllegalStateException("unconditional write refused: " + outcome);
  }
}
