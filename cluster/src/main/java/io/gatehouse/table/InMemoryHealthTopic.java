package io.gatehouse.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The health topic of a node without a cluster (one member, nothing to send), or of several
 * in-process members joined on one {@link Hub} for tests: a notice reaches the hub's other members
 * synchronously, on the publisher's thread.
 */
public final class InMemoryHealthTopic implements HealthTopic {
  private final String self;
  private final Hub hub;
  private final List<Consumer<HealthNotice>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> memberListeners = new CopyOnWriteArrayList<>();

  /** A single member. */
  public InMemoryHealthTopic() {
    this("local", new Hub());
  }

  private InMemoryHealthTopic(String self, Hub hub) {
    this.self = self;
    this.hub = hub;
  }

  /** In-process members that hear one another. */
  public static final class Hub {
    private final List<InMemoryHealthTopic> members = new CopyOnWriteArrayList<>();

    /** A new member {@code id} of this hub; the others hear it joined. */
    public InMemoryHealthTopic join(String id) {
      InMemoryHealthTopic t = new InMemoryHealthTopic(Objects.requireNonNull(id, "id"), this);
      members.add(t);
      changed();
      return t;
    }

    private void leave(InMemoryHealthTopic t) {
      if (members.remove(t)) {
        changed();
      }
    }

    private void changed() {
      for (InMemoryHealthTopic m : members) {
        m.memberListeners.forEach(Runnable::run);
      }
    }
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public List<String> members() {
    List<String> ids = new ArrayList<>();
    for (InMemoryHealthTopic m : hub.members) {
      ids.add(m.self);
    }
    return ids.isEmpty() ? List.of(self) : ids;
  }

  @Override
  public void publish(HealthNotice notice) {
    for (InMemoryHealthTopic m : hub.members) {
      if (m != this) {
        m.listeners.forEach(l -> l.accept(notice));
      }
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<HealthNotice> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  @Override
  public AutoCloseable onMembersChanged(Runnable listener) {
    memberListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> memberListeners.remove(listener);
  }

  /** Leaves the hub: the other members hear it left. */
  @Override
  public void close() {
    hub.leave(this);
  }
}
