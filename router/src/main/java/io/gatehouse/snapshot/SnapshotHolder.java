package io.gatehouse.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The node's snapshot, handed to the event loops that serve it. A published snapshot goes first to
 * every subscriber (each router adopts it on its own event loop, so a request reads one field of
 * its loop and never this holder); {@link #get} answers it only once every subscriber has adopted
 * it, so whoever reads the holder (readiness, explain, "served" for {@code wait=all}) sees what the
 * routers serve. A loop that subscribes starts from {@link #latest}.
 */
public final class SnapshotHolder {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /** Adopted by every subscriber. */
  private final AtomicReference<@Nullable RouteSnapshot> current = new AtomicReference<>();

  /** Published, perhaps not yet adopted everywhere; with its publish number, for ordering. */
  private volatile @Nullable RouteSnapshot latest;

  private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
  private long published;
  private long served;

  /** The snapshot every subscribed event loop serves (null before the first). */
  public @Nullable RouteSnapshot get() {
    return current.get();
  }

  /** The newest snapshot published, which a subscriber adopts when it starts (null before). */
  public @Nullable RouteSnapshot latest() {
    return latest;
  }

  /** Null until the first snapshot is served; the node is not ready before. */
  public boolean hasSnapshot() {
    return current.get() != null;
  }

  /**
   * Hands {@code snapshot} to every subscriber; the answer completes once each has adopted it (or
   * unsubscribed; exceptionally when an adoption threw), and only then does {@link #get} answer it.
   * The caller publishes one at a time (the publisher waits for each), or the holder keeps the
   * newest of those adopted.
   */
  public CompletableFuture<Void> publish(RouteSnapshot snapshot) {
    long number;
    synchronized (this) {
      number = ++published;
      latest = snapshot;
    }
    List<CompletableFuture<Void>> adopted = new ArrayList<>(subscribers.size());
    for (Subscription s : subscribers) {
      adopted.add(s.deliver(snapshot));
    }
    if (adopted.isEmpty()) {
      served(number, snapshot);
      return DONE;
    }
    return CompletableFuture.allOf(adopted.toArray(new CompletableFuture<?>[0]))
        .whenComplete((v, t) -> served(number, snapshot));
  }

  private synchronized void served(long number, RouteSnapshot snapshot) {
    if (number > served) {
      served = number;
      current.set(snapshot);
    }
  }

  /**
   * Runs {@code adopt} on {@code executor} with each snapshot published from now on. The subscriber
   * then adopts {@link #latest} itself; a delivery may repeat that snapshot or, rarely, be older
   * than it, so {@code adopt} keeps the newer generation.
   */
  public Subscription subscribe(Executor executor, Consumer<RouteSnapshot> adopt) {
    Subscription s = new Subscription(executor, adopt);
    subscribers.add(s);
    return s;
  }

  /**
   * One subscriber. Closing it (an undeployed router) completes what it has not adopted yet, so a
   * loop that is gone never holds up "served".
   */
  public final class Subscription implements AutoCloseable {
    private final Executor executor;
    private final Consumer<RouteSnapshot> adopt;
    // Guarded by this.
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    private boolean closed;

    private Subscription(Executor executor, Consumer<RouteSnapshot> adopt) {
      this.executor = executor;
      this.adopt = adopt;
    }

    private CompletableFuture<Void> deliver(RouteSnapshot snapshot) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      synchronized (this) {
        if (closed) {
          return DONE;
        }
        pending.add(done);
      }
      try {
        executor.execute(
            () -> {
              try {
                if (!isClosed()) {
                  adopt.accept(snapshot);
                }
                finished(done, null);
              } catch (RuntimeException | Error e) {
                // counted all the same (a loop must not hold up the others), and told the publisher
                finished(done, e);
              }
            });
      } catch (RejectedExecutionException e) {
        finished(done, null);
      }
      return done;
    }

    private synchronized boolean isClosed() {
      return closed;
    }

    private void finished(CompletableFuture<Void> done, @Nullable Throwable failure) {
      synchronized (this) {
        pending.remove(done);
      }
      if (failure == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(failure);
      }
    }

    @Override
    public void close() {
      List<CompletableFuture<Void>> left;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        left = new ArrayList<>(pending);
        pending.clear();
      }
      subscribers.remove(this);
      for (CompletableFuture<Void> f : left) {
        f.complete(null);
      }
    }
  }
}
