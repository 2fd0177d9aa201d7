package io.gatehouse.testing;

import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** A cluster of node processes on loopback with a name of its own and free Hazelcast ports. */
public final class ClusterProcesses implements AutoCloseable {
  private final Path dir;
  private final String name = "it-" + UUID.randomUUID();
  private final int[] ports;
  private final List<NodeProcess> started = new ArrayList<>();
  private final List<String> extraMembers = new ArrayList<>();
  private String adminToken;
  private int[] adminPorts;

  public ClusterProcesses(Path dir, int size) {
    this.dir = dir;
    this.ports = new int[size];
    for (int i = 0; i < size; i++) {
      ports[i] = distinctPort(ports, i);
    }
  }

  /**
   * The YAML of member {@code index}: loopback, ephemeral HTTP and status ports, its own store
   * directory, and {@code extra} YAML appended.
   */
  public String config(int index, String extra) {
    return config(index, extra, 0, 0);
  }

  /** As {@link #config(int, String)}, with fixed HTTP and status ports (0 = ephemeral). */
  public String config(int index, String extra, int httpPort, int statusPort) {
    StringBuilder members = new StringBuilder();
    for (int p : ports) {
      members
          .append(members.length() == 0 ? "" : ", ")
          .append("\"127.0.0.1:")
          .append(p)
          .append('"');
    }
    for (String m : extraMembers) {
      members.append(", \"").append(m).append('"');
    }

    return "http: {host: 127.0.0.1, port: "
        + httpPort
        + "}\n"
        + "status: {host: 127.0.0.1, port: "
        + statusPort
        + "}\n"
        + "eventLoops: 1\n"
        + "log: {level: info, access: false}\n"
        + "store: {dir: \""
        + dir.resolve("data-" + index)
        + "\"}\n"
        + "cluster:\n"
        + "  enabled: true\n"
        + "  name: "
        + name
        + "\n"
        + "  host: 127.0.0.1\n"
        + "  port: "
        + ports[index]
        + "\n"
        + "  members: ["
        + members
        + "]\n"
        + "  heartbeat: 1s\n"
        + "  maxNoHeartbeat: 5s\n"
        + admin(index)
        + extra;
  }

  private String admin(int index) {
    if (adminToken == null) {
      return "admin: {enabled: false}\n";
    }
    return "admin: {enabled: true, host: 127.0.0.1, port: "
        + adminPorts[index]
        + ", token: \""
        + adminToken
        + "\", ratePerSecond: 100000, rateBurst: 100000}\n";
  }

  /** Starts member {@code index} and waits until it serves. */
  public NodeProcess start(int index, String extra) throws Exception {
    return start(index, extra, 0, 0);
  }

  /** Starts member {@code index} on fixed HTTP and status ports. */
  public NodeProcess start(int index, String extra, int httpPort, int statusPort) throws Exception {
    NodeProcess n =
        NodeProcess.start(
            dir, "node" + index + "-" + started.size(), config(index, extra, httpPort, statusPort));
    started.add(n);
    return n;
  }

  /**
   * Turns the admin API on for every member, on a free port of its own (kept across restarts), with
   * {@code token} as the admin token and no rate limit to speak of.
   */
  public ClusterProcesses withAdmin(String token) {
    adminToken = token;
    adminPorts = new int[ports.length];
    // Distinct from the members' ports too: every pick is free only until its node binds it, and
    // an admin listener bound first on a member's port stops that member ("Port [n] is already in
    // use" in AdminClusterIT, 7 Dec 2026).
    int[] taken = java.util.Arrays.copyOf(ports, ports.length * 2);
    for (int i = 0; i < ports.length; i++) {
      adminPorts[i] = distinctPort(taken, ports.length + i);
      taken[ports.length + i] = adminPorts[i];
    }
    return this;
  }

  public int adminPort(int index) {
    return adminPorts[index];
  }

  /** Lists {@code address} in every member's TCP-IP member list too. */
  public ClusterProcesses alsoList(String address) {
    extraMembers.add(address);
    return this;
  }

  /** The Hazelcast port of member {@code index}. */
  public int port(int index) {
    return ports[index];
  }

  /**
   * A free port none of the first {@code filled} of {@code taken} is: two random picks may match.
   */
  private static int distinctPort(int[] taken, int filled) {
    while (true) {
      int p = freePort();
      if (java.util.Arrays.stream(taken, 0, filled).noneMatch(t -> t == p)) {
        return p;
      }
    }
  }

  /**
   * Waits until every one of {@code nodes} sees exactly {@code size} members. On a timeout the
   * failure says what each node saw (its status's cluster section) and ends with its last log
   * lines, so a cluster that did not form can be read from the test report.
   */
  public static void awaitOneCluster(List<NodeProcess> nodes, int size, Duration atMost) {
    try {
      Awaitility.await("one cluster of " + size)
          .atMost(atMost)
          .until(() -> nodes.stream().allMatch(n -> members(n) == size));
    } catch (ConditionTimeoutException e) {
      StringBuilder what = new StringBuilder(e.getMessage());
      for (NodeProcess n : nodes) {
        what.append("\n--- node pid ").append(n.pid()).append(": ");
        try {
          what.append(n.status().getJsonObject("cluster"));
        } catch (Exception unreadable) {
          what.append("status unreadable: ").append(unreadable);
        }
        List<String> lines = n.lines();
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> what.append("\n  ").append(l));
      }
      throw new AssertionError(what.toString(), e);
    }
  }

  private static int members(NodeProcess n) {
    try {
      return n.memberCount();
    } catch (Exception e) {
      return -1;
    }
  }

  public static int freePort() {
    try {
      return ApiServerHarness.freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    started.forEach(NodeProcess::close);
  }
}
