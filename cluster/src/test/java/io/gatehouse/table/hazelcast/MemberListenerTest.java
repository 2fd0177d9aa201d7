package io.gatehouse.table.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The member port has no authentication in open-source Hazelcast, so it must be as small as it can
 * be: bound to the one address the cluster uses (127.0.0.2 here, another loopback address, so a
 * wildcard bind shows on 127.0.0.1), speaking only the member protocol (no client protocol, REST or
 * memcache on it).
 */
@Timeout(120)
class MemberListenerTest {
  private static final String HOST = "127.0.0.2";
  private static final String NAME = "listener-" + UUID.randomUUID();
  private static int port;
  private static HazelcastInstance member;

  @BeforeAll
  static void startMember() throws IOException {
    // Free on every address, so a wildcard bind would not move to another port.
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(0));
      port = s.getLocalPort();
    }
    member =
        Hazelcast.newHazelcastInstance(
            HazelcastTableConfig.build(
                new ClusterSettings(
                    NAME,
                    HOST,
                    port,
                    List.of(HOST + ":" + port),
                    "",
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(5),
                    0,
                    1)));
  }

  @AfterAll
  static void stopMember() {
    if (member != null) {
      member.getLifecycleService().terminate();
    }
  }

  @Test
  void the_member_binds_only_the_configured_address() throws IOException {
    assertThat(member.getCluster().getLocalMember().getAddress().getHost()).isEqualTo(HOST);
    assertThat(member.getCluster().getLocalMember().getAddress().getPort()).isEqualTo(port);
    try (Socket ok = new Socket()) {
      ok.connect(new InetSocketAddress(HOST, port), 5000);
    }
    try (Socket other = new Socket()) {
      assertThatThrownBy(() -> other.connect(new InetSocketAddress("127.0.0.1", port), 5000))
          .as("a wildcard bind answers on 127.0.0.1 too")
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void a_hazelcast_client_cannot_connect() {
    ClientConfig cc = new ClientConfig();
    cc.setClusterName(NAME);
    cc.setProperty("hazelcast.logging.type", "slf4j");
    cc.getNetworkConfig().addAddress(HOST + ":" + port).setConnectionTimeout(2000);
    cc.getConnectionStrategyConfig()
        .getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(5000);
    assertThatThrownBy(
            () -> {
              HazelcastInstance client = HazelcastClient.newHazelcastClient(cc);
              // Connected: whoever reaches the port could rewrite the table.
              client.shutdown();
            })
        .as("a client connected: whoever reaches the member port could rewrite the table")
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rest_and_memcache_get_no_answer() throws IOException {
    // "HZX" is Hazelcast's refusal of a protocol it does not speak on this endpoint.
    for (String request :
        List.of(
            "GET /hazelcast/health/ready HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /hazelcast/rest/cluster HTTP/1.1\r\nHost: x\r\n\r\n",
            "stats\r\n",
            "version\r\n")) {
      assertThat(answer(request)).as(request).isIn("", "HZX");
    }
  }

  /** What the member answers to {@code request} before it closes (or 5 s of silence). */
  private static String answer(String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      StringBuilder out = new StringBuilder();
      byte[] buf = new byte[512];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          out.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
      } catch (SocketTimeoutException | SocketException e) {
        // Silence, or a reset: nothing was answered.
      }
      return out.toString();
    }
  }
}
