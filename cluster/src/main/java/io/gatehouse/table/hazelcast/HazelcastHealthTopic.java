package io.gatehouse.table.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import io.gatehouse.table.HealthNotice;
import io.gatehouse.table.HealthTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health topic on the table's Hazelcast member: one plain {@link ITopic} (not a reliable topic:
 * a notice is worth something for seconds only, and a member that missed one while away meets the
 * endpoint's next; the plain topic also delivers straight to the members' event threads, well
 * within the 100 ms an ejection has to reach them). Messages are short tab-separated strings, so no
 * serializer has to be registered and a member of another release can skip what it cannot read.
 * Messages of one publisher arrive in order (the topic's default, single-threaded delivery).
 */
public final class HazelcastHealthTopic implements HealthTopic {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastHealthTopic.class);
  static final String TOPIC = "gatehouse.health";
  private static final String FORMAT = "h1";

  private final HazelcastInstance hz;
  private final ITopic<String> topic;
  private final String self;
  private final List<Consumer<HealthNotice>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> memberListeners = new CopyOnWriteArrayList<>();
  private final UUID messageListener;
  private final UUID membershipListener;

  private HazelcastHealthTopic(HazelcastInstance hz) {
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
                    membersChanged();
                  }

                  @Override
                  public void memberRemoved(MembershipEvent e) {
                    membersChanged();
                  }
                });
  }

  /** The health topic of {@code table}'s member; close it before the table. */
  public static HazelcastHealthTopic on(HazelcastRouteTable table) {
    return new HazelcastHealthTopic(table.instance());
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public List<String> members() {
    List<String> ids = new ArrayList<>();
    for (Member m : hz.getCluster().getMembers()) {
      ids.add(m.getUuid().toString());
    }
    return ids;
  }

  @Override
  public void publish(HealthNotice notice) {
    try {
      topic.publishAsync(encode(notice));
    } catch (RuntimeException e) {
      // A member shutting down: the notice is lost, and it expires anyway.
      LOG.debug("health notice not sent: {}", e.toString());
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

  private void onMessage(Message<String> m) {
    Member from = m.getPublishingMember();
    if (from != null && from.localMember()) {
      return;
    }
    HealthNotice notice = decode(m.getMessageObject());
    if (notice == null) {
      return;
    }
    for (Consumer<HealthNotice> l : listeners) {
      try {
        l.accept(notice);
      } catch (RuntimeException e) {
        LOG.warn("health notice listener failed: {}", e.toString());
      }
    }
  }

  private void membersChanged() {
    for (Runnable l : memberListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("health membership listener failed: {}", e.toString());
      }
    }
  }

  static String encode(HealthNotice n) {
    return String.join(
        "\t",
        FORMAT,
        n.member(),
        n.kind().name(),
        n.host(),
        Integer.toString(n.port()),
        Long.toString(n.expiresEpochMillis()),
        Long.toString(n.durationMillis()),
        n.reason().replace('\t', ' '));
  }

  /** The notice in {@code text}, or null for one this release cannot read. */
  static @Nullable HealthNotice decode(@Nullable String text) {
    if (text == null) {
      return null;
    }
    String[] f = text.split("\t", -1);
    if (f.length != 8 || !f[0].equals(FORMAT)) {
      return null;
    }
    try {
      return new HealthNotice(
          f[1],
          HealthNotice.Kind.valueOf(f[2]),
          f[3],
          Integer.parseInt(f[4]),
          Long.parseLong(f[5]),
          Long.parseLong(f[6]),
          f[7]);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void close() {
    try {
      topic.removeMessageListener(messageListener);
      hz.getCluster().removeMembershipListener(membershipListener);
    } catch (RuntimeException e) {
      LOG.debug("leaving the health topic after the cluster stopped: {}", e.toString());
    }
  }
}
