package io.gatehouse.snapshot;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.policy.PolicyServices;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.TableView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the table and keeps the holder's snapshot current. Bursts of changes merge into one
 * compile after a short hold-off, with a ceiling so a steady stream still publishes (Contour's
 * hold-off/max-delay). Compiles on its own thread, never on an event loop, and incrementally from
 * the last published view; if an incremental compile fails, a full compile replaces it, so the node
 * is never left without a snapshot. After each publish it waits until every event loop adopted the
 * snapshot (one task hop each; see {@link SnapshotHolder}) before it releases what the snapshot
 * dropped and tells its listeners, so "served" means served on every loop.
 */
public final class SnapshotPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

  /** How long event loops may take to adopt a snapshot before the wait is logged. */
  private static final long ADOPTION_WARNING_MS = 1000;

  /** Both used on the compile thread only. */
  private final Function<TableView, RouteSnapshot> incremental;

  private final Function<TableView, RouteSnapshot> full;
  private final Runnable afterPublish;
  private final AtomicInteger fallbacks = new AtomicInteger();
  private final SnapshotHolder holder;
  private final long holdOffNanos;
  private final long maxDelayNanos;
  private final ScheduledExecutorService executor;
  private final List<Consumer<RouteSnapshot>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<TableView>> preparers = new CopyOnWriteArrayList<>();
  private final List<Consumer<Timing>> timings = new CopyOnWriteArrayList<>();

  /**
   * What one publish took on this node.
   *
   * @param lagNanos from the table handing this node the first change the snapshot holds to every
   *     event loop serving it (hold-off, compile, certificates, adoption)
   * @param compileNanos the compile alone
   */
  public record Timing(long generation, long lagNanos, long compileNanos) {}

  private final RouteTable table;
  private @Nullable AutoCloseable subscription;
  private @Nullable TableView pending;
  private long firstPendingNanos;
  private @Nullable ScheduledFuture<?> scheduled;

  /** A publisher whose routes' endpoints go to an index of its own (tests). */
  public SnapshotPublisher(
      RouteTable table, SnapshotHolder holder, Duration holdOff, Duration maxDelay) {
    this(table, holder, holdOff, maxDelay, new EndpointIndex());
  }

  /**
   * A publisher that feeds the routes' endpoints into {@code endpoints} (the node's index) before
   * each snapshot is published.
   */
  public SnapshotPublisher(
      RouteTable table,
      SnapshotHolder holder,
      Duration holdOff,
      Duration maxDelay,
      EndpointIndex endpoints) {
    this(table, holder, holdOff, maxDelay, new SnapshotCompiler(endpoints));
  }

  /**
   * As {@link #SnapshotPublisher(RouteTable, SnapshotHolder, Duration, Duration, EndpointIndex)},
   * with the key of sticky split cookies ({@link StickyCookies}).
   */
  public SnapshotPublisher(
      RouteTable table,
      SnapshotHolder holder,
      Duration holdOff,
      Duration maxDelay,
      EndpointIndex endpoints,
      byte[] stickyKey) {
    this(table, holder, holdOff, maxDelay, new SnapshotCompiler(endpoints, stickyKey));
  }

  /**
   * As above, with the node's services for the filters it compiles ({@link
   * SnapshotCompiler#policyServices}).
   */
  public SnapshotPublisher(
      RouteTable table,
      SnapshotHolder holder,
      Duration holdOff,
      Duration maxDelay,
      EndpointIndex endpoints,
      byte[] stickyKey,
      PolicyServices services) {
    this(
        table,
        holder,
        holdOff,
        maxDelay,
        withServices(new SnapshotCompiler(endpoints, stickyKey), services));
  }

  private static SnapshotCompiler withServices(SnapshotCompiler compiler, PolicyServices services) {
    compiler.policyServices(services);
    return compiler;
  }

  private SnapshotPublisher(
      RouteTable table,
      SnapshotHolder holder,
      Duration holdOff,
      Duration maxDelay,
      SnapshotCompiler compiler) {
    this(
        table,
        holder,
        holdOff,
        maxDelay,
        compiler::update,
        compiler::rebuild,
        compiler::afterPublish);
  }

  /** Tests swap the compile steps to see the fallback work. */
  SnapshotPublisher(
      RouteTable table,
      SnapshotHolder holder,
      Duration holdOff,
      Duration maxDelay,
      Function<TableView, RouteSnapshot> incremental,
      Function<TableView, RouteSnapshot> full) {
    this(table, holder, holdOff, maxDelay, incremental, full, () -> {});
  }

  private SnapshotPublisher(
      RouteTable table,
      SnapshotHolder holder,
      Duration holdOff,
      Duration maxDelay,
      Function<TableView, RouteSnapshot> incremental,
      Function<TableView, RouteSnapshot> full,
      Runnable afterPublish) {
    this.incremental = incremental;
    this.full = full;
    this.afterPublish = afterPublish;
    this.holder = holder;
    this.holdOffNanos = holdOff.toNanos();
    this.maxDelayNanos = maxDelay.toNanos();
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-compile");
              t.setDaemon(true);
              return t;
            });
    this.table = table;
  }

  /** Starts following the table; the first snapshot follows shortly. */
  public synchronized void start() {
    if (subscription == null) {
      subscription = table.subscribe(this::onView);
    }
  }

  /**
   * Called with every snapshot published, once every event loop serves it, on the compile thread.
   */
  public void onPublish(Consumer<RouteSnapshot> listener) {
    listeners.add(listener);
  }

  /**
   * Called with the view a snapshot was compiled from, on the compile thread, before that snapshot
   * is published: what must be in place before its routes are served (their certificates). It must
   * not wait on anything but its own work, or it would hold up every route.
   */
  public void beforePublish(Consumer<TableView> preparer) {
    preparers.add(preparer);
  }

  /** Called with each publish's {@link Timing}, on the compile thread, after the listeners. */
  public void onTiming(Consumer<Timing> listener) {
    timings.add(listener);
  }

  private synchronized void onView(TableView view) {
    long now = System.nanoTime();
    if (pending == null) {
      firstPendingNanos = now;
    }
    pending = view;
    long waited = now - firstPendingNanos;
    long delay = Math.max(0, Math.min(holdOffNanos, maxDelayNanos - waited));
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    scheduled = executor.schedule(this::compilePending, delay, TimeUnit.NANOSECONDS);
  }

  private void compilePending() {
    TableView view;
    long firstPending;
    synchronized (this) {
      view = pending;
      firstPending = firstPendingNanos;
      pending = null;
      scheduled = null;
    }
    if (view == null) {
      return;
    }
    RouteSnapshot current = holder.get();
    if (current != null && current.generation() == view.generation()) {
      return;
    }
    long started = System.nanoTime();
    RouteSnapshot next;
    try {
      next = incremental.apply(view);
    } catch (RuntimeException | StackOverflowError e) {
      // A bug in the incremental path must cost time, never routes: logged once with its cause.
      if (fallbacks.getAndIncrement() == 0) {
        LOG.atWarn()
            .setMessage("incremental compile failed; compiling in full")
            .addKeyValue("generation", view.generation())
            .setCause(e)
            .log();
      }
      next = full.apply(view);
    }
    long compiled = System.nanoTime();
    for (Consumer<TableView> p : preparers) {
      try {
        p.accept(view);
      } catch (RuntimeException e) {
        // a failed preparation must not cost the routes: published all the same, and logged
        LOG.atWarn()
            .setMessage("preparing a snapshot failed; publishing it all the same")
            .addKeyValue("generation", view.generation())
            .setCause(e)
            .log();
      }
    }
    // Every event loop adopts it before the slots that left it are released and before it counts
    // as served (wait=all): a loop that has not adopted it yet still serves the previous one.
    if (!awaitAdopted(holder.publish(next), view.generation())) {
      return;
    }
    afterPublish.run();
    for (Consumer<RouteSnapshot> l : listeners) {
      l.accept(next);
    }
    if (!timings.isEmpty()) {
      Timing t =
          new Timing(view.generation(), System.nanoTime() - firstPending, compiled - started);
      for (Consumer<Timing> l : timings) {
        l.accept(t);
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.atDebug()
          .setMessage("snapshot published")
          .addKeyValue("generation", view.generation())
          .addKeyValue("routes", view.routes().size())
          .addKeyValue("debounceMs", millis(started - firstPending))
          .addKeyValue("compileMs", millis(compiled - started))
          .addKeyValue("publishMs", millis(System.nanoTime() - compiled))
          .log();
    }
  }

  /**
   * Waits for the event loops to adopt a snapshot (one task hop each). Never gives up while the
   * node runs, since "served" must stay true, but says so when a loop is stuck; false when
   * interrupted (the publisher is closing).
   */
  private static boolean awaitAdopted(CompletableFuture<Void> adopted, long generation) {
    boolean warned = false;
    while (true) {
      try {
        adopted.get(ADOPTION_WARNING_MS, TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException e) {
        if (!warned) {
          warned = true;
          LOG.atWarn()
              .setMessage("event loops have not adopted the new snapshot yet; it is not served")
              .addKeyValue("generation", generation)
              .addKeyValue("waitedMs", ADOPTION_WARNING_MS)
              .log();
        }
      } catch (ExecutionException e) {
        LOG.atWarn()
            .setMessage("an event loop failed to adopt the snapshot")
            .addKeyValue("generation", generation)
            .setCause(e.getCause())
            .log();
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private static String millis(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }

  /** How many incremental compiles failed and were replaced by a full compile. */
  public int fallbacks() {
    return fallbacks.get();
  }

  @Override
  public void close() throws Exception {
    if (subscription != null) {
      subscription.close();
    }
    executor.shutdownNow();
  }
}
