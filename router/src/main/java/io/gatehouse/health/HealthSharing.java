package io.gatehouse.health;

import io.gatehouse.table.HealthNotice;
import io.gatehouse.table.HealthTopic;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster side of the registry: this node's ejections and probe verdicts go out on the {@link
 * HealthTopic}, the other members' come in, and {@link #owns} says whether this member is the one
 * that probes an endpoint (rendezvous hashing over the live members; a leaving member's endpoints
 * move at once to the next in rank). A node without a cluster has one member and owns everything.
 */
final class HealthSharing implements HealthRegistry.Changes, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthSharing.class);

  private final HealthTopic topic;
  private final HealthRegistry registry;
  private final AutoCloseable subscription;
  private final AutoCloseable membership;

  HealthSharing(HealthTopic topic, HealthRegistry registry, Runnable onMembersChanged) {
    this.topic = topic;
    this.registry = registry;
    registry.listen(this);
    this.subscription = topic.subscribe(this::receive);
    this.membership = topic.onMembersChanged(onMembersChanged);
    // After subscribing, so the answers are heard.
    topic.publish(new HealthNotice(topic.self(), HealthNotice.Kind.SYNC, "", 0, 0, 0, "joined"));
  }

  /**
   * Whether this member probes {@code authority} ({@code host:port}), by the topic's member list as
   * it is now (a local read): a cached copy could miss a change that came between reading it and
   * subscribing, and two members disagreeing would leave an endpoint unprobed.
   */
  boolean owns(String authority) {
    List<String> m = topic.members();
    return m.size() <= 1 || Rendezvous.owner(m, authority).equals(topic.self());
  }

  @Override
  public void ejected(
      EndpointHealth h, long expiresEpochMillis, long durationMillis, String reason) {
    topic.publish(
        new HealthNotice(
            topic.self(),
            HealthNotice.Kind.EJECTED,
            h.host,
            h.port,
            expiresEpochMillis,
            durationMillis,
            reason));
  }

  @Override
  public void verdict(EndpointHealth h, boolean healthy) {
    topic.publish(
        new HealthNotice(
            topic.self(),
            healthy ? HealthNotice.Kind.HEALTHY : HealthNotice.Kind.UNHEALTHY,
            h.host,
            h.port,
            0,
            0,
            healthy ? "check-passed" : "check-failed"));
  }

  /**
   * Tells the members (a new one asked) what this member holds of its own: its ejections, with
   * their original expiry, and the failing verdicts of the endpoints it probes. A notice is not
   * stored anywhere, so a member that joined after it was sent hears it only this way.
   */
  private void republish() {
    long now = registry.clock().epochMillis();
    for (HealthRegistry.Ejection e : registry.ejected()) {
      if (e.by().isEmpty() && e.expiresEpochMillis() > now) {
        topic.publish(
            new HealthNotice(
                topic.self(),
                HealthNotice.Kind.EJECTED,
                e.host(),
                e.port(),
                e.expiresEpochMillis(),
                e.expiresEpochMillis() - now,
                e.reason()));
      }
    }
    for (EndpointHealth h : registry.failingChecks()) {
      if (owns(h.authority())) {
        verdict(h, false);
      }
    }
  }

  private void receive(HealthNotice n) {
    if (n.member().equals(topic.self())) {
      return;
    }
    switch (n.kind()) {
      case EJECTED ->
          registry.ejectShared(
              n.host(),
              n.port(),
              n.expiresEpochMillis(),
              n.durationMillis(),
              n.reason(),
              n.member());
      case HEALTHY -> registry.verdict(n.host(), n.port(), true, false, n.member());
      case UNHEALTHY -> registry.verdict(n.host(), n.port(), false, false, n.member());
      case SYNC -> republish();
    }
  }

  @Override
  public void close() {
    try {
      subscription.close();
      membership.close();
    } catch (Exception e) {
      LOG.debug("closing health sharing: {}", e.toString());
    }
  }
}
