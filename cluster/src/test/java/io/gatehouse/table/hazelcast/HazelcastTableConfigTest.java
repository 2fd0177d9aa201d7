package io.gatehouse.table.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.instance.EndpointQualifier;
import io.gatehouse.table.codec.EntryCodec;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HazelcastTableConfigTest {
  private static ClusterSettings settings(List<String> members, String kubernetesService) {
    return new ClusterSettings(
        "edge-prod",
        "10.0.0.11",
        5701,
        members,
        kubernetesService,
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        2,
        2);
  }

  @Test
  void tcp_ip_join_with_the_member_list_and_never_multicast() {
    Config c = HazelcastTableConfig.build(settings(List.of("10.0.0.11:5701", "10.0.0.12"), ""));
    JoinConfig join = c.getAdvancedNetworkConfig().getJoin();
    assertThat(c.getClusterName()).isEqualTo("edge-prod");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.11:5701", "10.0.0.12");
  }

  @Test
  void every_member_advertises_the_newest_entry_format_it_reads() {
    Config c = HazelcastTableConfig.build(settings(List.of(), ""));
    assertThat(c.getMemberAttributeConfig().getAttribute(HazelcastTableConfig.READS_FORMAT))
        .isEqualTo(Integer.toString(EntryCodec.FORMAT));
  }

  @Test
  void one_member_endpoint_bound_to_the_configured_address_only() {
    Config c = HazelcastTableConfig.build(settings(List.of(), ""));
    assertThat(c.getAdvancedNetworkConfig().isEnabled()).isTrue();
    assertThat(c.getAdvancedNetworkConfig().getEndpointConfigs())
        .containsOnlyKeys(EndpointQualifier.MEMBER);
    ServerSocketEndpointConfig member =
        (ServerSocketEndpointConfig)
            c.getAdvancedNetworkConfig().getEndpointConfigs().get(EndpointQualifier.MEMBER);
    assertThat(member.getInterfaces().isEnabled()).isTrue();
    assertThat(member.getInterfaces().getInterfaces()).containsExactly("10.0.0.11");
    assertThat(member.getPublicAddress()).isEqualTo("10.0.0.11:5701");
    assertThat(member.isPortAutoIncrement()).isFalse();
    assertThat(member.isReuseAddress()).isTrue();
    assertThat(c.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
  }

  @Test
  void a_member_whose_port_is_taken_does_not_start_instead_of_announcing_a_port_it_does_not_hold()
      throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", Members.freePort()));
      ClusterSettings s =
          new ClusterSettings(
              "taken-" + UUID.randomUUID(),
              "127.0.0.1",
              taken.getLocalPort(),
              List.of(),
              "",
              Duration.ofSeconds(1),
              Duration.ofSeconds(5),
              0,
              1);
      assertThatThrownBy(() -> Hazelcast.newHazelcastInstance(HazelcastTableConfig.build(s)))
          .hasMessageContaining(Integer.toString(taken.getLocalPort()));
    }
  }

  @Test
  void kubernetes_discovery_through_the_headless_service_dns() {
    Config c =
        HazelcastTableConfig.build(
            settings(List.of(), "gatehouse-cluster.gatehouse.svc.cluster.local"));
    JoinConfig join = c.getAdvancedNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("gatehouse-cluster.gatehouse.svc.cluster.local");
  }

  @Test
  void failure_detection_and_start_quorum_come_from_the_settings() {
    Config c = HazelcastTableConfig.build(settings(List.of(), ""));
    assertThat(c.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(c.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
    assertThat(c.getProperty("hazelcast.initial.min.cluster.size")).isEqualTo("2");
  }

  @Test
  void the_table_maps_keep_synchronous_backups_and_merge_by_revision() {
    Config c = HazelcastTableConfig.build(settings(List.of(), ""));
    for (String map : List.of(HazelcastTableConfig.ENTRIES, HazelcastTableConfig.META)) {
      assertThat(c.getMapConfig(map).getBackupCount()).isEqualTo(2);
      assertThat(c.getMapConfig(map).getAsyncBackupCount()).isZero();
      assertThat(c.getMapConfig(map).getMergePolicyConfig().getPolicy())
          .isEqualTo(RevisionMergePolicy.class.getName());
    }
  }
}
