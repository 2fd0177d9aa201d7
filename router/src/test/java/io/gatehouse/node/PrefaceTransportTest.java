package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.edge.CleartextPreface;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Test;

/** Which listeners get the preface gate: only the router's plain one, never status or admin. */
class PrefaceTransportTest {
  static final CleartextPreface.Policy POLICY = new CleartextPreface.Policy(true, 1, null);

  static HttpServerOptions at(String host, int port) {
    return new HttpServerOptions().setHost(host).setPort(port);
  }

  @Test
  void a_configured_port_is_the_router_only_on_its_own_host_and_port() {
    PrefaceTransport t = new PrefaceTransport(false, "10.0.0.1", 8080, POLICY);
    assertThat(t.mayBeRouter(at("10.0.0.1", 8080))).isTrue();
    assertThat(t.mayBeRouter(at("127.0.0.1", 8080))).as("admin on the same port number").isFalse();
    assertThat(t.mayBeRouter(at("10.0.0.1", 9901))).isFalse();
    assertThat(t.mayBeRouter(at("127.0.0.1", 0))).as("an echo or default backend").isFalse();
  }

  @Test
  void with_port_0_every_port_0_listener_is_a_candidate_until_bound() {
    PrefaceTransport t = new PrefaceTransport(false, "127.0.0.1", 0, POLICY);
    assertThat(t.mayBeRouter(at("127.0.0.1", 0))).isTrue();
    assertThat(t.mayBeRouter(at("127.0.0.1", 9901))).isFalse();
  }
}
