package io.gatehouse.table.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import io.gatehouse.table.LimitCounters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limit counters on the table's Hazelcast member: one plain {@link ITopic} of strings, as the
 * health topic (a report is worth something for a few tens of milliseconds only; the plain topic
 * delivers straight to the members' event threads, in order per publisher). A report is {@code c1
 * <member> (<count> <length>:<bucket id>)*}: length-prefixed ids, so a bucket keyed by any header
 * or claim value needs no escaping, and a member of another release skips a format it cannot read.
 * A member that stops says {@code bye} first, so the others can tell a cluster that shrank on
 * purpose from a member lost from sight.
 */
public final class HazelcastLimitCounters implements LimitCounters {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastLimitCounters.class);
  static final String TOPIC = "gatehouse.limits";
  private static final String FORMAT = "c1";
  private static final String BYE = "bye";

  private final HazelcastInstance hz;
  private final ITopic<String> topic;
  private final String self;
  private final List<Consumer<Map<String, Long>>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Boolean>> memberListeners = new CopyOnWriteArrayList<>();
  // Members that said goodbye; their removal is a graceful leave.
  private final Set<String> leaving = ConcurrentHashMap.newKeySet();
  private final UUID messageListener;
  private final UUID membershipListener;

  private HazelcastLimitCounters(HazelcastInstance hz) {
    this.hz = hz;
    this.topic = hz.getTopic(TOPIC);
    this.self = hz.getCluster().getLocalMember().getUuid().toString();
    this.messageListener = topic.addMessageListener(this::onMessage);
    this.membershipListener =
        hz.getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent e) {
                    membersChanged(false);
                  }

                  @Override
                  public void memberRemoved(MembershipEvent e) {
                    membersChanged(leaving.remove(e.getMember().getUuid().toString()));
                  }
                });
  }

  /** The limit counters of {@code table}'s member; close them before the table. */
  public static HazelcastLimitCounters on(HazelcastRouteTable table) {
    return new HazelcastLimitCounters(table.instance());
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public int members() {
    try {
      return Math.max(1, hz.getCluster().getMembers().size());
    } catch (RuntimeException e) {
      return 1; // the member is stopping
    }
  }

  @Override
  public void publish(Map<String, Long> counts) {
    if (counts.isEmpty()) {
      return;
    }
    try {
      topic.publishAsync(encode(self, counts));
    } catch (RuntimeException e) {
      // A member shutting down: these counts are lost, which admits them once more at most.
      LOG.debug("limit counts not sent: {}", e.toString());
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

  private void onMessage(Message<String> m) {
    Member from = m.getPublishingMember();
    if (from != null && from.localMember()) {
      return;
    }
    String text = m.getMessageObject();
    if (text == null) {
      return;
    }
    if (text.startsWith(BYE + " ")) {
      String id = text.substring(BYE.length() + 1);
      boolean gone =
          hz.getCluster().getMembers().stream().noneMatch(x -> x.getUuid().toString().equals(id));
      if (gone) {
        membersChanged(true); // the removal came first: tell the listeners now
      } else {
        leaving.add(id);
      }
      return;
    }
    Map<String, Long> counts = decode(text);
    if (counts == null || counts.isEmpty()) {
      return;
    }
    for (Consumer<Map<String, Long>> l : listeners) {
      try {
        l.accept(counts);
      } catch (RuntimeException e) {
        LOG.warn("limit counts listener failed: {}", e.toString());
      }
    }
  }

  private void membersChanged(boolean graceful) {
    for (Consumer<Boolean> l : memberListeners) {
      try {
        l.accept(graceful);
      } catch (RuntimeException e) {
        LOG.warn("limit membership listener failed: {}", e.toString());
      }
    }
  }

  static String encode(String member, Map<String, Long> counts) {
    StringBuilder b = new StringBuilder(16 + counts.size() * 32);
    b.append(FORMAT).append(' ').append(member);
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      String id = e.getKey();
      b.append(' ').append(e.getValue()).append(' ').append(id.length()).append(':').append(id);
    }
    return b.toString();
  }

  /** The counts in {@code text}, or null for a report this release cannot read. */
  static @Nullable Map<String, Long> decode(String text) {
    if (!text.startsWith(FORMAT + " ")) {
      return null;
    }
    int i = text.indexOf(' ', FORMAT.length() + 1);
    Map<String, Long> out = new HashMap<>();
    try {
      while (i >= 0 && i < text.length()) {
        int countEnd = text.indexOf(' ', i + 1);
        int colon = text.indexOf(':', countEnd + 1);
        if (countEnd < 0 || colon < 0) {
          return null;
        }
        long count = Long.parseLong(text, i + 1, countEnd, 10);
        int length = Integer.parseInt(text, countEnd + 1, colon, 10);
        int end = colon + 1 + length;
        if (count < 0 || length < 0 || end > text.length()) {
          return null;
        }
        out.merge(text.substring(colon + 1, end), count, Long::sum);
        i = end;
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return out;
  }

  /** Says goodbye (the others see a graceful leave), then stops listening. */
  @Override
  public void close() {
    try {
      topic.publish(BYE + " " + self);
    } catch (RuntimeException e) {
      LOG.debug("no goodbye sent, the cluster stopped: {}", e.toString());
    }
    try {
      topic.removeMessageListener(messageListener);
      hz.getCluster().removeMembershipListener(membershipListener);
    } catch (RuntimeException e) {
      LOG.debug("leaving the limit counters after the cluster stopped: {}", e.toString());
    }
  }
}
