package io.gatehouse.snapshot;

import java.util.concurrent.atomic.AtomicReference;

/** The node's current snapshot: readers take one reference per request and never lock. */
public final class SnapshotHolder {
  private final AtomicReference<RouteSnapshot> current = new AtomicReference<>();

  public RouteSnapshot get() {
    return current.get();
  }

  /** Null until the first snapshot is published; the node is not ready before. */
  public boolean hasSnapshot() {
    return current.get() != null;
  }

  public void publish(RouteSnapshot snapshot) {
    current.set(snapshot);
  }
}
