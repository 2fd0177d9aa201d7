package io.gatehouse.table.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.BatchPlanner;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryStore;
import io.gatehouse.table.FormatGate;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.ServedReport;
import io.gatehouse.table.SourceApplied;
import io.gatehouse.table.TableState;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Versioned;
import io.gatehouse.table.Write;
import io.gatehouse.table.codec.EntryCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route table shared by every member, in one Hazelcast IMap with synchronous backups, and held
 * whole in memory on each node.
 *
 * <p>Writes are serialised cluster-wide by a map lock, which makes conditional writes (If-Match,
 * host claims) and the generation counter simple and exact; admin writes are rare enough for that.
 * A write fsyncs its durable entries to the writer's disk, then puts them with their backups, then
 * returns. Every node applies entry events in generation order on one ordered executor, holding
 * back a generation until all of its entries arrived (no node serves half a batch), persists
 * durable entries to its own disk, and publishes a view. A gap that does not fill (an event lost
 * with a dead member) or a membership change triggers a full reload.
 */
public final class HazelcastRouteTable implements RouteTable {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastRouteTable.class);
  private static final String CLOCK = "clock";
  private static final String WRITE_LOCK = "write-lock";
  private static final Duration GAP_PATIENCE = Duration.ofSeconds(2);
  // Bounds the memory of which unreadable entries were already logged.
  private static final int MAX_REPORTED = 10_000;

  private final HazelcastInstance hz;
  // Started by join(): leaving the table shuts the member down too.
  private final boolean ownsMember;
  private final IMap<String, StoredEntry> entries;
  private final IMap<String, String> meta;
  private final IMap<String, MemberRecord> members;
  private final EntryStore store;
  private final EntryCodec codec;
  private final Executor events;
  private final String version;
  private final long started = System.currentTimeMillis();
  private final String self;
  private final ScheduledExecutorService timer;
  private final List<Consumer<TableView>> listeners = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  private final List<Runnable> membershipListeners = new CopyOnWriteArrayList<>();
  // What members say of themselves, kept locally: status pages and waiters never block on a map
  // whose partition may sit on a hung member.
  private final Map<String, MemberRecord> known = new ConcurrentHashMap<>();
  // Unreadable entries already logged, as key@revision: a reload reads them again.
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  // Owned by the events executor.
  private final TableState state = new TableState();
  private final TreeMap<Long, List<Versioned>> pending = new TreeMap<>();
  private long watermark;
  private long gapSince = -1;
  // DEBUG timings only: when the first event of a pending generation arrived
  private final TreeMap<Long, Long> firstArrival = new TreeMap<>();
  private long firstApplied = -1;
  private int appliedEntries;

  private volatile boolean closed;
  private volatile TableView view = TableView.EMPTY;
  private volatile long served = -1;
  // Set by start(); null before it.
  private @Nullable UUID entryListener;
  private @Nullable UUID membershipListener;
  private @Nullable UUID membersListener;

  /**
   * @param events an ordered executor that may block (disk writes); the node passes a Vert.x worker
   *     context
   */
  public HazelcastRouteTable(
      HazelcastInstance hz, EntryStore store, EntryCodec codec, Executor events, String version) {
    this(hz, false, store, codec, events, version);
  }

  private HazelcastRouteTable(
      HazelcastInstance hz,
      boolean ownsMember,
      EntryStore store,
      EntryCodec codec,
      Executor events,
      String version) {
    this.hz = hz;
    this.ownsMember = ownsMember;
    this.entries = hz.getMap(HazelcastTableConfig.ENTRIES);
    this.meta = hz.getMap(HazelcastTableConfig.META);
    this.members = hz.getMap(HazelcastTableConfig.MEMBERS);
    this.store = store;
    this.codec = codec;
    this.events = events;
    this.version = version;
    this.self = hz.getCluster().getLocalMember().getUuid().toString();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-table-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts a Hazelcast member configured by {@link HazelcastTableConfig} and {@link #start() joins}
   * its table. The table owns the member: {@link #close()} shuts it down, a graceful leave. Blocks.
   */
  public static HazelcastRouteTable join(
      ClusterSettings settings,
      EntryStore store,
      EntryCodec codec,
      Executor events,
      String version) {
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(HazelcastTableConfig.build(settings));
    HazelcastRouteTable table;
    try {
      table = new HazelcastRouteTable(hz, true, store, codec, events, version);
    } catch (RuntimeException e) {
      hz.shutdown();
      throw e;
    }
    try {
      return table.start();
    } catch (RuntimeException e) {
      table.close();
      throw e;
    }
  }

  /**
   * Joins the table: merges this node's disk copy into the cluster (newer revisions win, so a
   * deleted entry stays deleted), loads everything, and starts following changes. Blocks.
   */
  public HazelcastRouteTable start() {
    entryListener = entries.addEntryListener(new Events(), true);
    membershipListener =
        hz.getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent e) {
                    post(() -> reload("member joined"));
                    membersChanged();
                  }

                  @Override
                  public void memberRemoved(MembershipEvent e) {
                    known.remove(e.getMember().getUuid().toString());
                    members.removeAsync(e.getMember().getUuid().toString());
                    post(() -> reload("member left"));
                    checkWaiters();
                    membersChanged();
                  }
                });
    membersListener = members.addEntryListener(new MemberEvents(), true);
    known.putAll(members);
    mergeFromDisk();
    CompletableFuture<Void> loaded = new CompletableFuture<>();
    events.execute(
        () -> {
          try {
            reload("start");
            loaded.complete(null);
          } catch (RuntimeException e) {
            loaded.completeExceptionally(e);
          }
        });
    loaded.join();
    publishSelf();
    timer.scheduleWithFixedDelay(() -> post(this::checkGap), 500, 500, TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public TableView view() {
    return view;
  }

  @Override
  public Outcome apply(Batch batch) {
    meta.lock(WRITE_LOCK, 30, TimeUnit.SECONDS);
    try {
      return applyLocked(batch, readCurrent(batch), Clock.parse(meta.get(CLOCK)), members());
    } finally {
      meta.unlock(WRITE_LOCK);
    }
  }

  /** Under the write lock: the stored entries of every key {@code batch} writes. */
  private Map<EntryKey, Versioned> readCurrent(Batch batch) {
    Set<String> keys = new HashSet<>();
    for (var w : batch.writes()) {
      keys.add(w.key().encoded());
    }
    Map<String, StoredEntry> stored = entries.getAll(keys);
    Map<EntryKey, Versioned> current = new HashMap<>();
    for (StoredEntry e : stored.values()) {
      Versioned v = decodeToWrite(e);
      current.put(v.key(), v);
    }
    return current;
  }

  /**
   * Under the write lock: plans {@code batch} against {@code current} and writes what changes,
   * unless a member of {@code present} cannot read the format of something it would write.
   */
  private Outcome applyLocked(
      Batch batch, Map<EntryKey, Versioned> current, Clock clock, List<MemberInfo> present) {
    Object planned =
        BatchPlanner.plan(batch, current::get, clock.revision() + 1, clock.sequence() + 1);
    if (planned instanceof Outcome.Conflict conflict) {
      return conflict;
    }
    BatchPlanner.Plan plan = (BatchPlanner.Plan) planned;
    if (plan.changed().isEmpty()) {
      return new Outcome.Applied(clock.sequence(), plan.revisions());
    }
    Outcome.NotUpgraded refused = FormatGate.check(present, formats(plan.changed(), present));
    if (refused != null) {
      return refused;
    }
    if (batch.durable()) {
      store.write(plan.changed());
    }
    Clock next = new Clock(clock.sequence() + 1, clock.revision() + 1);
    // The clock moves first: a writer that dies after it leaves a gap, which readers repair by
    // reloading; the reverse would let two batches share a generation.
    meta.set(CLOCK, next.encode());
    Map<String, StoredEntry> out = new HashMap<>();
    for (Versioned v : plan.changed()) {
      out.put(v.key().encoded(), encode(v));
    }
    entries.putAll(out);
    return new Outcome.Applied(next.sequence(), plan.revisions());
  }

  /**
   * The format each written value needs, for the values some member of {@code present} might not
   * read (none when every member reads this release's newest format).
   */
  private Map<EntryKey, Integer> formats(List<Versioned> written, List<MemberInfo> present) {
    if (FormatGate.readByAll(present) >= EntryCodec.FORMAT) {
      return Map.of();
    }
    Map<EntryKey, Integer> out = new HashMap<>();
    for (Versioned v : written) {
      Object value = v.value();
      if (value != null) {
        out.put(v.key(), codec.formatOf(value));
      }
    }
    return out;
  }

  /**
   * Replaces a source's routes. Under the write lock nobody else writes, so when this node's view
   * is at the cluster's clock it is the table: the routes are diffed against it, nothing is read
   * from the map, and only the routes that changed are written (an endpoint change of one Service
   * touches the routes of that Service, not the whole source). A view behind the clock (a write
   * still arriving) falls back to reading every route of the source from the map.
   *
   * <p>A route whose format some member cannot read is left out of the batch, before it is planned:
   * its current entry, if any, stays as it is (a route is never deleted because its new form cannot
   * be written yet), and the rest of the source is written.
   */
  @Override
  public SourceApplied applySource(String source, Collection<RouteSpec> routes) {
    long started = System.nanoTime();
    meta.lock(WRITE_LOCK, 30, TimeUnit.SECONDS);
    try {
      long locked = System.nanoTime();
      Clock clock = Clock.parse(meta.get(CLOCK));
      TableView local = view;
      boolean exact = local.generation() == clock.sequence();
      Batch batch;
      Map<EntryKey, Versioned> current;
      if (exact) {
        BatchPlanner.SourceDiff diff = BatchPlanner.diffSource(source, routes, local);
        batch = diff.batch();
        current = diff.current();
      } else {
        List<EntryKey> live = new ArrayList<>();
        for (Map.Entry<String, StoredEntry> e :
            entries.entrySet(Predicates.like("__key", "ROUTE:%/" + source + "/%")).stream()
                .toList()) {
          EntryKey key = EntryKey.decode(e.getKey());
          if (e.getValue().payload() != null && BatchPlanner.isRouteOfSource(key, source)) {
            live.add(key);
          }
        }
        batch = BatchPlanner.replaceSource(source, routes, live);
        current = readCurrent(batch);
      }
      List<MemberInfo> present = members();
      Outcome.NotUpgraded held = null;
      if (FormatGate.readByAll(present) < EntryCodec.FORMAT) {
        Map<EntryKey, Integer> formats = new HashMap<>();
        for (Write w : batch.writes()) {
          Versioned there = current.get(w.key());
          if (w instanceof Write.Put p && (there == null || !p.value().equals(there.value()))) {
            formats.put(w.key(), codec.formatOf(p.value()));
          }
        }
        held = FormatGate.check(present, formats);
        if (held != null) {
          Set<EntryKey> out = new HashSet<>(held.keys());
          batch =
              new Batch(
                  batch.writes().stream().filter(w -> !out.contains(w.key())).toList(),
                  batch.durable());
        }
      }
      long diffed = System.nanoTime();
      Outcome o = applyLocked(batch, current, clock, present);
      if (LOG.isDebugEnabled()) {
        LOG.atDebug()
            .setMessage("source replaced")
            .addKeyValue("source", source)
            .addKeyValue("routes", routes.size())
            .addKeyValue("fromView", exact)
            .addKeyValue("changed", batch.writes().size())
            .addKeyValue("lockMs", millis(locked - started))
            .addKeyValue("diffMs", millis(diffed - locked))
            .addKeyValue("applyMs", millis(System.nanoTime() - diffed))
            .log();
      }
      return new SourceApplied(((Outcome.Applied) o).generation(), held);
    } finally {
      meta.unlock(WRITE_LOCK);
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
    if (generation <= served) {
      return;
    }
    served = generation;
    publishSelf();
    checkWaiters();
  }

  @Override
  public CompletableFuture<ServedReport> awaitServed(long generation, Duration timeout) {
    Waiter w = new Waiter(generation, new CompletableFuture<>());
    waiters.add(w);
    w.future.whenComplete((r, e) -> waiters.remove(w));
    timer.schedule(
        () -> w.future.complete(new ServedReport(generation, false, lagging(generation))),
        timeout.toMillis(),
        TimeUnit.MILLISECONDS);
    checkWaiters();
    return w.future;
  }

  /**
   * The member this table runs on, for the other topics of the node ({@link HazelcastHealthTopic}).
   */
  HazelcastInstance instance() {
    return hz;
  }

  @Override
  public List<MemberInfo> members() {
    List<MemberInfo> out = new ArrayList<>();
    for (Member m : hz.getCluster().getMembers()) {
      String id = m.getUuid().toString();
      MemberRecord r = m.localMember() ? selfRecord() : known.get(id);
      String address = m.getAddress().getHost() + ":" + m.getAddress().getPort();
      int reads = readsFormat(m);
      out.add(
          r == null
              ? new MemberInfo(id, address, m.localMember(), -1, 0, "unknown", reads)
              : new MemberInfo(
                  id,
                  address,
                  m.localMember(),
                  r.servedGeneration(),
                  r.startedEpochMillis(),
                  r.version(),
                  reads));
    }
    return out;
  }

  /** What {@code m} advertises; a member of a release before the attribute reads format 1. */
  private static int readsFormat(Member m) {
    String advertised = m.getAttribute(HazelcastTableConfig.READS_FORMAT);
    if (advertised == null) {
      return FormatGate.UNADVERTISED;
    }
    try {
      return Math.max(FormatGate.UNADVERTISED, Integer.parseInt(advertised));
    } catch (NumberFormatException e) {
      return FormatGate.UNADVERTISED;
    }
  }

  @Override
  public AutoCloseable onMembersChanged(Runnable listener) {
    membershipListeners.add(listener);
    return () -> membershipListeners.remove(listener);
  }

  private void membersChanged() {
    for (Runnable l : membershipListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("membership listener failed: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    try {
      if (entryListener != null) {
        entries.removeEntryListener(entryListener);
        if (membersListener != null) {
          members.removeEntryListener(membersListener);
        }
        if (membershipListener != null) {
          hz.getCluster().removeMembershipListener(membershipListener);
        }
        members.remove(self);
      }
    } catch (RuntimeException e) {
      LOG.debug("leaving the table after the cluster stopped: {}", e.toString());
    }
    for (Waiter w : waiters) {
      w.future.complete(new ServedReport(w.generation, false, List.of()));
    }
    store.close();
    if (ownsMember) {
      hz.shutdown();
    }
  }

  // --- materialisation, on the events executor ---

  private void post(Runnable task) {
    if (closed) {
      return;
    }
    try {
      events.execute(
          () -> {
            if (closed) {
              return;
            }
            try {
              task.run();
            } catch (RuntimeException e) {
              if (!closed) {
                // The next membership change or gap check reloads; the node keeps its last view.
                LOG.error("table update failed: {}", e.toString(), e);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.debug("table event after its executor stopped");
    }
  }

  private final class Events
      implements EntryAddedListener<String, StoredEntry>,
          EntryUpdatedListener<String, StoredEntry> {
    @Override
    public void entryAdded(EntryEvent<String, StoredEntry> e) {
      StoredEntry v = e.getValue();
      long arrived = System.nanoTime();
      post(() -> onEntry(v, arrived));
    }

    @Override
    public void entryUpdated(EntryEvent<String, StoredEntry> e) {
      StoredEntry v = e.getValue();
      long arrived = System.nanoTime();
      post(() -> onEntry(v, arrived));
    }
  }

  private void onEntry(StoredEntry stored, long arrivedNanos) {
    Versioned v = decode(stored);
    if (v.sequence() <= watermark) {
      // A merge after a split brain rewrites entries at old sequences: apply by revision alone.
      if (state.apply(v)) {
        if (v.durable()) {
          // (an entry this node cannot read is held as a tombstone that must not reach the disk)
          persist(List.of(v));
        }
        publish();
      }
      return;
    }
    pending.computeIfAbsent(v.sequence(), s -> new ArrayList<>()).add(v);
    if (LOG.isDebugEnabled()) {
      firstArrival.putIfAbsent(v.sequence(), arrivedNanos);
    }
    drain();
  }

  private void drain() {
    List<Versioned> durable = new ArrayList<>();
    boolean changed = false;
    while (!pending.isEmpty()) {
      Map.Entry<Long, List<Versioned>> first = pending.firstEntry();
      if (first.getKey() != watermark + 1
          || first.getValue().size() < first.getValue().get(0).batchSize()) {
        break;
      }
      pending.pollFirstEntry();
      for (Versioned v : first.getValue()) {
        if (state.apply(v) && v.durable()) {
          durable.add(v);
        }
      }
      watermark = first.getKey();
      changed = true;
      Long arrived = firstArrival.remove(watermark);
      if (arrived != null) {
        firstApplied = firstApplied < 0 ? arrived : firstApplied;
        appliedEntries += first.getValue().size();
      }
    }
    gapSince = pending.isEmpty() ? -1 : gapSince < 0 ? System.nanoTime() : gapSince;
    if (changed) {
      long applied = System.nanoTime();
      persist(durable);
      state.generation(watermark);
      publish();
      if (firstApplied >= 0 && LOG.isDebugEnabled()) {
        // from the first event of these generations arriving to the view published
        LOG.atDebug()
            .setMessage("table generation materialised")
            .addKeyValue("generation", watermark)
            .addKeyValue("entries", appliedEntries)
            .addKeyValue("eventsMs", millis(applied - firstApplied))
            .addKeyValue("publishMs", millis(System.nanoTime() - applied))
            .log();
      }
      firstApplied = -1;
      appliedEntries = 0;
    }
    firstArrival.headMap(watermark, true).clear();
  }

  private static String millis(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private void checkGap() {
    if (gapSince < 0 && Clock.parse(meta.get(CLOCK)).sequence() > watermark) {
      // A generation whose events were lost (its owner died while sending them) and no later
      // one pending: only the clock shows it.
      gapSince = System.nanoTime();
    }
    if (gapSince >= 0 && System.nanoTime() - gapSince > GAP_PATIENCE.toNanos()) {
      reload(
          "generation " + (watermark + 1) + " incomplete for " + GAP_PATIENCE.toSeconds() + " s");
    }
  }

  /** Replaces the local copy with the cluster's, read under the write lock so no batch is split. */
  private void reload(String why) {
    Map<String, StoredEntry> all;
    Clock clock;
    meta.lock(WRITE_LOCK, 30, TimeUnit.SECONDS);
    try {
      clock = Clock.parse(meta.get(CLOCK));
      all = new HashMap<>(entries);
    } finally {
      meta.unlock(WRITE_LOCK);
    }
    state.clear();
    List<Versioned> durable = new ArrayList<>();
    for (StoredEntry e : all.values()) {
      Versioned v = decode(e);
      state.apply(v);
      if (v.durable()) {
        durable.add(v);
      }
    }
    persist(durable);
    pending.headMap(clock.sequence(), true).clear();
    watermark = clock.sequence();
    gapSince = -1;
    state.generation(watermark);
    LOG.info("table loaded: {} entries at generation {} ({})", all.size(), watermark, why);
    drain();
    publish();
  }

  private void persist(List<Versioned> durable) {
    if (durable.isEmpty()) {
      return;
    }
    try {
      store.write(durable);
    } catch (RuntimeException e) {
      // The cluster still holds the entries; the next reload writes them again.
      LOG.error(
          "cannot persist {} entries to this node's store: {}", durable.size(), e.getMessage());
    }
  }

  private void publish() {
    TableView next = state.view();
    if (next == view) {
      return;
    }
    view = next;
    for (Consumer<TableView> l : listeners) {
      l.accept(next);
    }
  }

  /** Cold start: what this node's disk has that the cluster lacks goes back in, revisions kept. */
  private void mergeFromDisk() {
    List<Versioned> local = store.load();
    if (local.isEmpty()) {
      return;
    }
    meta.lock(WRITE_LOCK, 30, TimeUnit.SECONDS);
    try {
      Clock clock = Clock.parse(meta.get(CLOCK));
      Set<String> keys = new HashSet<>();
      long maxRevision = 0;
      for (Versioned v : local) {
        keys.add(v.key().encoded());
        maxRevision = Math.max(maxRevision, v.revision());
      }
      Map<String, StoredEntry> stored = entries.getAll(keys);
      List<Versioned> newer = new ArrayList<>();
      for (Versioned v : local) {
        StoredEntry there = stored.get(v.key().encoded());
        if (there == null || v.supersedes(decode(there))) {
          newer.add(v);
        }
      }
      if (newer.isEmpty()) {
        return;
      }
      Clock next = new Clock(clock.sequence() + 1, Math.max(clock.revision(), maxRevision));
      meta.set(CLOCK, next.encode());
      Map<String, StoredEntry> out = new HashMap<>();
      for (Versioned v : newer) {
        out.put(v.key().encoded(), encode(v.withSequence(next.sequence(), newer.size())));
      }
      entries.putAll(out);
      LOG.info(
          "recovered {} entries from this node's store into the cluster (generation {})",
          newer.size(),
          next.sequence());
    } finally {
      meta.unlock(WRITE_LOCK);
    }
  }

  // --- served generations ---

  private void publishSelf() {
    members.setAsync(self, selfRecord());
  }

  private MemberRecord selfRecord() {
    Member m = hz.getCluster().getLocalMember();
    return new MemberRecord(
        m.getAddress().getHost() + ":" + m.getAddress().getPort(), served, started, version);
  }

  private final class MemberEvents
      implements EntryAddedListener<String, MemberRecord>,
          EntryUpdatedListener<String, MemberRecord>,
          EntryRemovedListener<String, MemberRecord> {
    @Override
    public void entryAdded(EntryEvent<String, MemberRecord> e) {
      known.put(e.getKey(), e.getValue());
      checkWaiters();
    }

    @Override
    public void entryUpdated(EntryEvent<String, MemberRecord> e) {
      known.put(e.getKey(), e.getValue());
      checkWaiters();
    }

    @Override
    public void entryRemoved(EntryEvent<String, MemberRecord> e) {
      known.remove(e.getKey());
    }
  }

  private void checkWaiters() {
    if (waiters.isEmpty()) {
      return;
    }
    long lowest = Long.MAX_VALUE;
    for (MemberInfo m : members()) {
      lowest = Math.min(lowest, m.local() ? served : m.servedGeneration());
    }
    for (Waiter w : waiters) {
      if (lowest >= w.generation) {
        w.future.complete(new ServedReport(w.generation, true, List.of()));
      }
    }
  }

  private List<MemberInfo> lagging(long generation) {
    List<MemberInfo> out = new ArrayList<>();
    for (MemberInfo m : members()) {
      if ((m.local() ? served : m.servedGeneration()) < generation) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * The entry as this node reads it. A payload it cannot read (a later release's format, or a
   * broken one) is logged once and read as a tombstone at the entry's revision, kept off the disk:
   * the generation it belongs to still completes, every other entry is still served, an older copy
   * of the entry stops being served (it may say what its writer changed on purpose), and a disk
   * copy older than the entry never wins a merge against it.
   */
  private Versioned decode(StoredEntry e) {
    EntryKey key = EntryKey.decode(e.key());
    if (e.payload() == null) {
      return new Versioned(key, e.revision(), e.sequence(), e.batchSize(), null, e.durable());
    }
    Object value;
    try {
      value = codec.decode(key.kind(), e.payload());
    } catch (RuntimeException unreadable) {
      if (reported.size() >= MAX_REPORTED) {
        reported.clear();
      }
      if (reported.add(e.key() + "@" + e.revision())) {
        LOG.atWarn()
            .setMessage("table entry not served: this release cannot read it")
            .addKeyValue("key", e.key())
            .addKeyValue("revision", e.revision())
            .addKeyValue("reason", unreadable.getMessage())
            .log();
      }
      return new Versioned(key, e.revision(), e.sequence(), e.batchSize(), null, false);
    }
    return new Versioned(key, e.revision(), e.sequence(), e.batchSize(), value, e.durable());
  }

  /**
   * The entry as a write plans against it. A write never plans against an entry it cannot read: a
   * condition or a tombstone would be judged on a copy this node only guessed.
   */
  private Versioned decodeToWrite(StoredEntry e) {
    EntryKey key = EntryKey.decode(e.key());
    try {
      Object value = e.payload() == null ? null : codec.decode(key.kind(), e.payload());
      return new Versioned(key, e.revision(), e.sequence(), e.batchSize(), value, e.durable());
    } catch (RuntimeException unreadable) {
      throw new IllegalStateException(
          e.key()
              + " cannot be changed from this node: "
              + unreadable.getMessage()
              + "; upgrade this node or write from an upgraded one",
          unreadable);
    }
  }

  private StoredEntry encode(Versioned v) {
    Object value = v.value();
    return new StoredEntry(
        v.key().encoded(),
        v.revision(),
        v.sequence(),
        v.batchSize(),
        value == null ? null : codec.encode(value),
        v.durable());
  }

  private record Waiter(long generation, CompletableFuture<ServedReport> future) {}
}
