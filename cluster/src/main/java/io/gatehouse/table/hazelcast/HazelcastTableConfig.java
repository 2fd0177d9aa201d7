package io.gatehouse.table.hazelcast;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import io.gatehouse.table.FormatGate;

/**
 * The Hazelcast configuration of a Gatehouse member: network, failure detection and the maps.
 *
 * <p>The member port has no authentication in open-source Hazelcast (whoever reaches it can change
 * routes), so it is kept as small as it can be: the advanced network configuration with a member
 * endpoint only (no client protocol, REST or memcache on it), bound to the one configured address
 * instead of Hazelcast's default wildcard.
 */
public final class HazelcastTableConfig {
  static final String ENTRIES = "gatehouse.entries";
  static final String META = "gatehouse.meta";
  static final String MEMBERS = "gatehouse.members";

  /**
   * The member attribute naming the newest entry format the member reads. An attribute, not a field
   * of the members map: a member has it from the moment it joins, so no write can slip past the
   * format gate while a new member has not published itself yet.
   */
  static final String READS_FORMAT = "gatehouse.readsFormat";

  private HazelcastTableConfig() {}

  public static Config build(ClusterSettings s) {
    Config c = new Config();
    c.setClusterName(s.name());
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    // A joining member looks for the cluster at once instead of waiting 5 s for more joiners.
    c.setProperty("hazelcast.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.heartbeat.interval.seconds", seconds(s.heartbeat()));
    c.setProperty("hazelcast.max.no.heartbeat.seconds", seconds(s.maxNoHeartbeat()));
    c.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    c.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    c.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    c.setProperty("hazelcast.initial.min.cluster.size", Integer.toString(s.initialMinMembers()));
    c.getMemberAttributeConfig().setAttribute(READS_FORMAT, Integer.toString(FormatGate.READS));

    // Hazelcast binds every interface unless told not to, whatever the interfaces say.
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.socket.server.bind.any", "false");
    c.setProperty("hazelcast.local.localAddress", s.bindHost());
    AdvancedNetworkConfig net = c.getAdvancedNetworkConfig().setEnabled(true);
    ServerSocketEndpointConfig member = new ServerSocketEndpointConfig();
    // No moving up to the next port while this one is taken: the member announces the configured
    // port, so one bound elsewhere would send the others to whoever holds it. A taken port stops
    // the
    // node at start, saying so.
    member.setPort(s.port()).setPortAutoIncrement(false);
    // A restarted member binds its port again while the old one's connections sit in TIME_WAIT
    // (Hazelcast's default refuses for up to a minute); a live listener on it still refuses.
    member.setReuseAddress(true);
    member.setPublicAddress(s.bindHost() + ":" + s.port());
    member.getInterfaces().setEnabled(true).addInterface(s.bindHost());
    net.setMemberEndpointConfig(member);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!s.kubernetesService().isEmpty()) {
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", s.kubernetesService())
          .setProperty("service-port", Integer.toString(s.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(s.members());
      if (s.members().isEmpty()) {
        join.getTcpIpConfig().addMember(s.bindHost() + ":" + s.port());
      }
    }

    MergePolicyConfig byRevision =
        new MergePolicyConfig(
            RevisionMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE);
    for (String map : new String[] {ENTRIES, META}) {
      c.addMapConfig(
          new MapConfig(map)
              .setBackupCount(Math.min(6, Math.max(0, s.backupCount())))
              .setAsyncBackupCount(0)
              .setMergePolicyConfig(byRevision));
    }
    c.addMapConfig(new MapConfig(MEMBERS).setBackupCount(1));
    c.getSerializationConfig()
        .getCompactSerializationConfig()
        .addSerializer(new StoredEntrySerializer())
        .addSerializer(new MemberRecord.Serializer());
    return c;
  }

  private static String seconds(java.time.Duration d) {
    return Long.toString(Math.max(1, d.toSeconds()));
  }
}
