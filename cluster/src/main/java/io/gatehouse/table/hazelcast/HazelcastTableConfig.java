package io.gatehouse.table.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NetworkConfig;

/** The Hazelcast configuration of a Gatehouse member: network, failure detection and the maps. */
public final class HazelcastTableConfig {
  static final String ENTRIES = "gatehouse.entries";
  static final String META = "gatehouse.meta";
  static final String MEMBERS = "gatehouse.members";

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

    NetworkConfig net = c.getNetworkConfig();
    net.setPort(s.port()).setPortAutoIncrement(true);
    net.getInterfaces().setEnabled(true).addInterface(s.bindHost());
    net.setPublicAddress(s.bindHost() + ":" + s.port());
    c.setProperty("hazelcast.local.localAddress", s.bindHost());
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
