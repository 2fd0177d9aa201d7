package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A route's own response head limit gets its own clients; every other route the node's. */
class UpstreamClientsTest {
  private final Vertx vertx = Vertx.vertx();
  private final UpstreamClients clients = new UpstreamClients(vertx, 32 * 1024);

  @AfterEach
  void close() throws Exception {
    clients.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void no_limit_or_the_node_limit_is_the_node_clients() {
    var plain = clients.client(UpstreamProtocol.HTTP1, null);
    assertThat(clients.client(UpstreamProtocol.HTTP1, null, 0)).isSameAs(plain);
    assertThat(clients.client(UpstreamProtocol.HTTP1, null, 32 * 1024)).isSameAs(plain);
    assertThat(clients.http1Connections(null, 0)).isSameAs(clients.http1Connections());
    assertThat(clients.headLimits()).isZero();
  }

  @Test
  void each_route_limit_has_its_clients_made_once() {
    var plain = clients.client(UpstreamProtocol.HTTP1, null);
    var large = clients.client(UpstreamProtocol.HTTP1, null, 128 * 1024);
    assertThat(large).isNotSameAs(plain);
    assertThat(clients.client(UpstreamProtocol.HTTP1, null, 128 * 1024)).isSameAs(large);
    assertThat(clients.http1Connections(null, 128 * 1024)).isNotSameAs(clients.http1Connections());
    clients.client(UpstreamProtocol.HTTP1, null, 8 * 1024);
    assertThat(clients.headLimits()).isEqualTo(2);
    assertThat(clients.tlsSettings()).isZero();
  }

  @Test
  void a_tls_setting_with_a_limit_retires_with_the_setting() {
    UpstreamTls tls = UpstreamTls.DEFAULT.withServerName("svc.internal");
    clients.client(UpstreamProtocol.HTTP1, tls, 128 * 1024);
    clients.client(UpstreamProtocol.HTTP1, null, 128 * 1024);
    assertThat(clients.tlsSettings()).isEqualTo(1);
    clients.retain(Set.of());
    assertThat(clients.tlsSettings()).isZero();
    assertThat(clients.headLimits()).as("the plain clients of the limit stay").isEqualTo(1);
  }
}
