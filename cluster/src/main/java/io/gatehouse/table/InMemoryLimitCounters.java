package io.gatehouse.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The limit counters of a node without a cluster (one member: nothing to send), or of in-process
 * members joined on one {@link Hub} for tests, which a test may {@link Hub#cut cut off} from one
 * another as a network partition would: a report reaches the hub's other reachable members
 * synchronously, on the publisher's thread.
 */
public final class InMemoryLimitCounters implements LimitCounters {
  private final String self;
  private final Hub hub;
  private final List<Consumer<Map<String, Long>>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Boolean>> memberListeners = new CopyOnWriteArrayList<>();
  private volatile boolean cut;

  /** A single member. */
  public InMemoryLimitCounters() {
    this("local", new Hub());
  }

  private InMemoryLimitCounters(String self, Hub hub) {
    this.self = self;
    this.hub = hub;
  }

  /** In-process members that hear one another. */
  public static final class Hub {
    private final List<InMemoryLimitCounters> members = new CopyOnWriteArrayList<>();

    /** A new member {@code id}; the others see it joined. */
    public InMemoryLimitCounters join(String id) {
      InMemoryLimitCounters c = new InMemoryLimitCounters(Objects.requireNonNull(id, "id"), this);
      members.add(c);
      changed(false);
      return c;
    }

    /**
     * Cuts {@code member} off from the others (or joins it back): neither side hears or sees the
     * other, and each sees the other's members lost rather than gone.
     */
    public void cut(InMemoryLimitCounters member, boolean cut) {
      member.cut = cut;
      changed(false);
    }

    private void changed(boolean graceful) {
      for (InMemoryLimitCounters m : members) {
        m.memberListeners.forEach(l -> l.accept(graceful));
      }
    }
  }

  private boolean reaches(InMemoryLimitCounters other) {
    return other == this || (!cut && !other.cut);
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public int members() {
    int n = 0;
    for (InMemoryLimitCounters m : hub.members) {
      if (reaches(m)) {
        n++;
      }
    }
    return Math.max(1, n);
  }

  /** The ids this member sees. */
  public List<String> memberIds() {
    List<String> ids = new ArrayList<>();
    for (InMemoryLimitCounters m : hub.members) {
      if (reaches(m)) {
        ids.add(m.self);
      }
    }
    return ids;
  }

  @Override
  public void publish(Map<String, Long> counts) {
    Map<String, Long> copy = Map.copyOf(counts);
    for (InMemoryLimitCounters m : hub.members) {
      if (m != this && reaches(m)) {
        m.listeners.forEach(l -> l.accept(copy));
      }
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<Map<String, Long>> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  @Override
  public AutoCloseable onMembersChanged(Consumer<Boolean> listener) {
    memberListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> memberListeners.remove(listener);
  }

  /** Leaves the hub gracefully: the others see the cluster shrink on purpose. */
  @Override
  public void close() {
    if (hub.members.remove(this)) {
      hub.changed(true);
    }
  }
}
