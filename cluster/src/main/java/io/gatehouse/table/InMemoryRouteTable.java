package io.gatehouse.table;

import io.gatehouse.model.RouteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The table of a node that is not clustered: one lock serialises writes, and durable entries go to
 * the node's {@link EntryStore} before a write returns.
 */
public final class InMemoryRouteTable implements RouteTable {
  private final List<Consumer<TableView>> listeners = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  private final TableState state = new TableState();
  private final EntryStore store;
  private final long started = System.currentTimeMillis();
  private final String version;
  private volatile TableView view = TableView.EMPTY;
  private volatile long served = -1;
  private long revision;

  public InMemoryRouteTable() {
    this(EntryStore.NONE, "dev");
  }

  /** A table that starts from what {@code store} holds. */
  public InMemoryRouteTable(EntryStore store, String version) {
    this.store = store;
    this.version = version;
    List<Versioned> loaded = store.load();
    for (Versioned v : loaded) {
      state.apply(v);
      revision = Math.max(revision, v.revision());
    }
    if (!loaded.isEmpty()) {
      state.generation(1);
      view = state.view();
    }
  }

  @Override
  public TableView view() {
    return view;
  }

  @Override
  public Outcome apply(Batch batch) {
    synchronized (this) {
      long generation = state.generation();
      Object planned = BatchPlanner.plan(batch, state::get, revision + 1, generation + 1);
      if (planned instanceof Outcome.Conflict conflict) {
        return conflict;
      }
      BatchPlanner.Plan plan = (BatchPlanner.Plan) planned;
      if (plan.changed().isEmpty()) {
        return new Outcome.Applied(generation, plan.revisions());
      }
      if (batch.durable()) {
        store.write(plan.changed());
      }
      revision++;
      for (Versioned v : plan.changed()) {
        state.apply(v);
      }
      state.generation(generation + 1);
      publish(state.view());
      return new Outcome.Applied(generation + 1, plan.revisions());
    }
  }

  /** One member, which reads every format this release writes: nothing is ever held. */
  @Override
  public SourceApplied applySource(String source, Collection<RouteSpec> routes) {
    synchronized (this) {
      List<EntryKey> live = new ArrayList<>();
      for (Versioned v : state.entries()) {
        if (!v.deleted() && BatchPlanner.isRouteOfSource(v.key(), source)) {
          live.add(v.key());
        }
      }
      Outcome outcome = apply(BatchPlanner.replaceSource(source, routes, live));
      return SourceApplied.of(((Outcome.Applied) outcome).generation());
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<TableView> listener) {
    listeners.add(listener);
    listener.accept(view);
    return () -> listeners.remove(listener);
  }

  @Override
  public void served(long generation) {
    served = Math.max(served, generation);
    completeServedWaiters();
  }

  private void completeServedWaiters() {
    for (Waiter w : waiters) {
      if (served >= w.generation) {
        w.future.complete(new ServedReport(w.generation, true, List.of()));
      }
    }
  }

  @Override
  public CompletableFuture<ServedReport> awaitServed(long generation, Duration timeout) {
    Waiter w = new Waiter(generation, new CompletableFuture<>());
    waiters.add(w);
    completeServedWaiters();
    return w.future
        .completeOnTimeout(
            new ServedReport(generation, false, List.of(self())),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> waiters.remove(w));
  }

  @Override
  public List<MemberInfo> members() {
    return List.of(self());
  }

  @Override
  public void close() {
    store.close();
  }

  private MemberInfo self() {
    return new MemberInfo("local", "local", true, served, started, version, FormatGate.READS);
  }

  private void publish(TableView next) {
    view = next;
    for (Consumer<TableView> l : listeners) {
      l.accept(next);
    }
  }

  private record Waiter(long generation, CompletableFuture<ServedReport> future) {}
}
