package io.gatehouse.endpoint;

import io.gatehouse.model.Endpoint;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The node's endpoints: one immutable {@link EndpointSet} per {@link EndpointsKey}, whatever fed it
 * (the table's routes and named backends, the node's own Kubernetes watch).
 *
 * <p>Threading. Compiled routes hold a slot number from {@link #retain}; the event loop reads the
 * slot with {@link #get(int)}, one acquire read and no lock or allocation, and compares the set's
 * identity with the one it last built a balancer for. Writers ({@link #put}, {@link #remove},
 * {@link #retain}, {@link #release}) serialise on one private lock held for a map look-up and a
 * store, never while calling out (resolvers and listeners run outside it). A change is a new set
 * stored into the key's slot in one write, so a reader sees the old set or the new one, never a
 * mix. There is no atomicity across keys, and none is needed (kube-proxy has none either).
 *
 * <p>Slots. A slot stays with its key while the key is retained, and also after the last release
 * while the key still has endpoints, so a route compiled again finds its balancer state. It is
 * freed when nobody retains it and the key is removed or was never known; it keeps its last (empty)
 * set until reused, so a request still on an older snapshot reads "empty", and a reader that must
 * be sure can compare {@link EndpointSet#key()}. Freed slots are reused lowest first, which bounds
 * the array by the most keys retained at once.
 *
 * <p>Hand-written on purpose: no library offers refcounted, slot-addressed immutable values with
 * lock-free reads; the JDK's atomic array does the publication.
 */
public final class EndpointIndex {
  private static final int INITIAL_SLOTS = 64;

  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<EndpointsKey, Entry> entries = new HashMap<>();
  private final List<@Nullable Entry> owners = new ArrayList<>(); // slot -> entry, null when free
  private final BitSet used = new BitSet();
  private long revision;

  /**
   * Stored under the lock; replaced by a larger copy to grow, so readers never see it half grown.
   */
  private volatile AtomicReferenceArray<EndpointSet> slots =
      new AtomicReferenceArray<>(INITIAL_SLOTS);

  private final Map<Class<?>, Function<EndpointsKey, @Nullable List<Endpoint>>> resolvers =
      new ConcurrentHashMap<>();
  private final List<Consumer<EndpointSet>> listeners = new CopyOnWriteArrayList<>();

  private static final class Entry {
    final EndpointsKey key;
    EndpointSet set;
    int slot = -1;
    int refs;
    boolean removed;

    Entry(EndpointsKey key) {
      this.key = key;
      this.set = EndpointSet.unknown(key);
    }
  }

  /**
   * The slot of {@code key}, counting one more holder. A key nobody has put yet is asked of the
   * resolver registered for its kind (outside the lock); without one, or if it answers null, the
   * slot holds an empty set of revision 0 until a feeder puts.
   */
  public int retain(EndpointsKey key) {
    Objects.requireNonNull(key, "key");
    Entry e;
    int slot;
    EndpointSet placeholder;
    synchronized (lock) {
      e = entries.computeIfAbsent(key, Entry::new);
      e.refs++;
      if (e.slot < 0) {
        assignSlot(e);
      }
      slot = e.slot;
      if (e.set.revision() != 0) {
        return slot;
      }
      placeholder = e.set;
    }
    Function<EndpointsKey, List<Endpoint>> resolver = resolvers.get(key.getClass());
    if (resolver == null) {
      return slot;
    }
    @Nullable List<Endpoint> resolved;
    try {
      resolved = resolver.apply(key);
    } catch (RuntimeException ex) {
      release(slot);
      throw ex;
    }
    if (resolved == null) {
      return slot;
    }
    List<Endpoint> sorted = EndpointSet.sorted(resolved);
    EndpointSet stored;
    synchronized (lock) {
      // A feeder's put or remove since then is newer than what the resolver read: keep it.
      if (entries.get(key) != e || e.set != placeholder) {
        return slot;
      }
      stored = store(e, sorted);
    }
    notifyListeners(stored);
    return slot;
  }

  /** Drops one holder of {@code slot}; the compile thread calls it once no snapshot uses it. */
  public void release(int slot) {
    synchronized (lock) {
      Entry e = slot >= 0 && slot < owners.size() ? owners.get(slot) : null;
      if (e == null || e.refs == 0) {
        throw new IllegalStateException("slot " + slot + " is not retained");
      }
      if (--e.refs == 0 && (e.removed || e.set.revision() == 0)) {
        free(e);
      }
    }
  }

  /**
   * Sets the endpoints of {@code key}. Returns false, and keeps the stored set (same object), when
   * they equal what the index holds in any order: readers then rebuild nothing.
   */
  public boolean put(EndpointsKey key, List<Endpoint> endpoints) {
    Objects.requireNonNull(key, "key");
    List<Endpoint> sorted = EndpointSet.sorted(endpoints); // copy and sort outside the lock
    EndpointSet stored;
    synchronized (lock) {
      Entry e = entries.computeIfAbsent(key, Entry::new);
      e.removed = false;
      if (e.set.revision() != 0 && e.set.endpoints().equals(sorted)) {
        return false;
      }
      stored = store(e, sorted);
    }
    notifyListeners(stored);
    return true;
  }

  /**
   * The key has no endpoints any more (its Service was deleted). A retained key's slot then holds
   * an empty set; an unretained key is forgotten. Returns false when there was nothing to remove.
   */
  public boolean remove(EndpointsKey key) {
    Objects.requireNonNull(key, "key");
    EndpointSet stored = null;
    synchronized (lock) {
      Entry e = entries.get(key);
      if (e == null || e.removed) {
        return false;
      }
      e.removed = true;
      if (e.set.revision() == 0 || !e.set.isEmpty()) {
        stored = store(e, List.of());
      }
      if (e.refs == 0) {
        free(e);
      }
    }
    if (stored != null) {
      notifyListeners(stored);
    }
    return true;
  }

  /**
   * Answers {@link #retain} for keys of {@code kind} no feeder has put yet, from a local cache (it
   * runs on the compile thread); null means unknown. It may call {@link #put}.
   */
  public void resolver(
      Class<? extends EndpointsKey> kind,
      Function<EndpointsKey, @Nullable List<Endpoint>> resolver) {
    resolvers.put(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(resolver, "f"));
  }

  /**
   * The set in {@code slot}: one acquire read, no lock, no allocation, for the event loop. Never
   * null for a slot {@link #retain} returned.
   */
  public EndpointSet get(int slot) {
    return slots.getAcquire(slot);
  }

  /** The set of {@code key}, or an empty set of revision 0 when the index holds nothing for it. */
  public EndpointSet get(EndpointsKey key) {
    synchronized (lock) {
      Entry e = entries.get(key);
      return e == null ? EndpointSet.unknown(key) : e.set;
    }
  }

  /**
   * The keys of {@code kind} the index holds (retained or put), in no order: a feeder that starts
   * after the compiler retained some of its keys learns them here, having first registered its
   * {@link #resolver} so that no retain falls between the two.
   */
  public <K extends EndpointsKey> List<K> keys(Class<K> kind) {
    Objects.requireNonNull(kind, "kind");
    List<K> out = new ArrayList<>();
    synchronized (lock) {
      for (EndpointsKey k : entries.keySet()) {
        if (kind.isInstance(k)) {
          out.add(kind.cast(k));
        }
      }
    }
    return out;
  }

  /** How many keys the index holds (retained or put); for a size metric. */
  public int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  /**
   * Calls {@code listener} with every new set, after it is visible to readers, on the writer's
   * thread and outside the lock, so two writers' calls may arrive out of revision order (for timing
   * and metrics; it must be quick and must not throw). Close to stop.
   */
  public AutoCloseable onChange(Consumer<EndpointSet> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  private EndpointSet store(Entry e, List<Endpoint> sorted) {
    EndpointSet set = new EndpointSet(e.key, sorted, ++revision);
    e.set = set;
    if (e.slot >= 0) {
      slots.set(e.slot, set);
    }
    return set;
  }

  private void assignSlot(Entry e) {
    int slot = used.nextClearBit(0);
    used.set(slot);
    if (slot == owners.size()) {
      owners.add(e);
    } else {
      owners.set(slot, e);
    }
    AtomicReferenceArray<EndpointSet> current = slots;
    if (slot >= current.length()) {
      AtomicReferenceArray<EndpointSet> grown = new AtomicReferenceArray<>(current.length() * 2);
      for (int i = 0; i < current.length(); i++) {
        grown.setPlain(i, current.getPlain(i));
      }
      grown.set(slot, e.set); // the volatile write of the field below publishes the copies
      slots = grown;
    } else {
      current.set(slot, e.set);
    }
    e.slot = slot;
  }

  /** Forgets {@code e}; its slot keeps its last set until reused (see the class comment). */
  private void free(Entry e) {
    entries.remove(e.key);
    if (e.slot >= 0) {
      owners.set(e.slot, null);
      used.clear(e.slot);
      e.slot = -1;
    }
  }

  private void notifyListeners(EndpointSet set) {
    for (Consumer<EndpointSet> l : listeners) {
      l.accept(set);
    }
  }
}
