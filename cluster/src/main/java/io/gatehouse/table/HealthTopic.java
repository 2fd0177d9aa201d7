package io.gatehouse.table;

import java.util.List;
import java.util.function.Consumer;

/**
 * How members share what they learn about endpoints' health ({@link HealthNotice}): a fire-and-
 * forget topic, delivered to every other member within milliseconds, plus the live members, so
 * exactly one of them probes a given endpoint. Not the route table: nothing here is durable or
 * versioned, and a notice never causes a compile.
 */
public interface HealthTopic extends AutoCloseable {
  /** This member's id, as {@link #members()} lists it. */
  String self();

  /** The ids of the live members, this one included, in no particular order. */
  List<String> members();

  /** Sends {@code notice} to every other member; never blocks on the network. */
  void publish(HealthNotice notice);

  /**
   * Calls {@code listener} with every notice another member publishes, on a thread of the topic's
   * (it must be quick and must not block). Close to stop.
   */
  AutoCloseable subscribe(Consumer<HealthNotice> listener);

  /** Calls {@code listener} after a member joins or leaves, on a thread of the topic's. */
  AutoCloseable onMembersChanged(Runnable listener);

  @Override
  default void close() {}
}
