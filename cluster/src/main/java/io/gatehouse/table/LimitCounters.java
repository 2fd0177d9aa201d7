package io.gatehouse.table;

import java.util.Map;
import java.util.function.Consumer;

/**
 * How members share what their global rate limits admitted (issue #15): each member sends, every
 * few tens of milliseconds, how many requests it admitted per bucket since its last report, and
 * takes the other members' reports off its own buckets. A request never waits on the network; the
 * price is that a member learns the others' counts one report late (the accuracy {@code
 * docs/access-control.md} gives). Like the {@link HealthTopic}: fire and forget, nothing durable,
 * nothing here causes a compile.
 */
public interface LimitCounters extends AutoCloseable {
  /** This member's id. */
  String self();

  /** How many members this one sees, itself included (at least 1). */
  int members();

  /**
   * Sends this member's admitted counts since its last report (bucket id → count) to every other
   * member; never blocks on the network. A lost report admits that many requests more, once.
   */
  void publish(Map<String, Long> counts);

  /**
   * Calls {@code listener} with every report another member publishes, on a thread of the counters'
   * (it must be quick and must not block). Close to stop.
   */
  AutoCloseable subscribe(Consumer<Map<String, Long>> listener);

  /**
   * Calls {@code listener} after a member joins or leaves, with whether the change was a member's
   * graceful leave (it said goodbye: the cluster shrank on purpose) rather than a member lost from
   * sight (crashed or cut off: the node limits on its share, see {@code docs/access-control.md}).
   */
  AutoCloseable onMembersChanged(Consumer<Boolean> listener);

  @Override
  default void close() {}
}
