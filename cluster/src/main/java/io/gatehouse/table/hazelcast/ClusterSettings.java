package io.gatehouse.table.hazelcast;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a node finds and watches its cluster.
 *
 * @param name members join only a cluster of the same name, so two clusters never merge
 * @param bindHost the interface Hazelcast listens on (and announces)
 * @param port the member port, announced as it is: a node whose port is taken does not start
 * @param members TCP-IP join: {@code host} or {@code host:port} of the other members
 * @param kubernetesService the headless Service whose DNS names the members (in-cluster); empty =
 *     TCP-IP
 * @param heartbeat how often members say they are alive
 * @param maxNoHeartbeat how long a silent member (a hung process) is kept before it is removed
 * @param backupCount synchronous backups of every entry; 2 keeps a copy on three members
 * @param initialMinMembers how many members a starting node waits for before it serves (a whole
 *     cluster restarting with a quorum), 1 for none
 */
public record ClusterSettings(
    String name,
    String bindHost,
    int port,
    List<String> members,
    String kubernetesService,
    Duration heartbeat,
    Duration maxNoHeartbeat,
    int backupCount,
    int initialMinMembers) {
  public ClusterSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bindHost, "bindHost");
    members = List.copyOf(members);
    kubernetesService = kubernetesService == null ? "" : kubernetesService;
  }
}
