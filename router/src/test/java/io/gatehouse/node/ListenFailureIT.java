package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.testing.NodeFixture;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that cannot bind its port fails its start at once, naming the address. It used to hang
 * until the caller's timeout (Main: two minutes, then only {@code TimeoutException}): the failure
 * was handed to an event loop that closing Vert.x had already stopped.
 */
@Timeout(120)
class ListenFailureIT {
  @Test
  void a_port_in_use_fails_the_start_naming_the_address() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Future<GatehouseNode> start =
          GatehouseNode.start(
              NodeFixture.testConfig().withHttp(new NodeConfig.Listener("127.0.0.1", port)),
              List.of());

      // a hang shows as a TimeoutException here
      assertThatThrownBy(() -> start.await(60, TimeUnit.SECONDS))
          .hasMessageContaining("cannot listen on 127.0.0.1:" + port)
          .hasMessageContaining("in use");
    }
  }
}
