package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.edge.CleartextPreface;
import io.gatehouse.edge.RepeatOffenders;
import io.gatehouse.edge.TrustedProxies;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Test;

/**
 * Which listeners get the preface gate and the admission of repeat offenders: only the router's
 * plain and TLS ones, never status or admin.
 */
class PrefaceTransportTest {
  static final CleartextPreface.Policy POLICY = new CleartextPreface.Policy(true, 1, null);

  static HttpServerOptions at(String host, int port) {
    return new HttpServerOptions().setHost(host).setPort(port);
  }

  @Test
  void a_configured_port_is_the_router_only_on_its_own_host_and_port() {
    PrefaceTransport t =
        new PrefaceTransport(
            false,
            "10.0.0.1",
            8080,
            POLICY,
            "10.0.0.1",
            8443,
            new RepeatOffenders(5, TrustedProxies.none()));
    assertThat(t.mayBeRouter(at("10.0.0.1", 8080))).isTrue();
    assertThat(t.mayBeRouter(at("127.0.0.1", 8080))).as("admin on the same port number").isFalse();
    assertThat(t.mayBeRouter(at("10.0.0.1", 9901))).isFalse();
    assertThat(t.mayBeRouter(at("127.0.0.1", 0))).as("an echo or default backend").isFalse();
    assertThat(t.mayBeRouter(at("10.0.0.1", 8443))).as("plain on the TLS port").isFalse();
    assertThat(t.mayBeRouter(at("10.0.0.1", 8443).setSsl(true))).isTrue();
    assertThat(t.mayBeRouter(at("10.0.0.1", 8080).setSsl(true))).isFalse();
    assertThat(t.mayBeRouter(at("127.0.0.1", 8443).setSsl(true))).isFalse();
  }

  @Test
  void with_port_0_every_port_0_listener_is_a_candidate_until_bound() {
    PrefaceTransport t =
        new PrefaceTransport(
            false,
            "127.0.0.1",
            0,
            POLICY,
            null,
            443,
            new RepeatOffenders(5, TrustedProxies.none()));
    assertThat(t.mayBeRouter(at("127.0.0.1", 0))).isTrue();
    assertThat(t.mayBeRouter(at("127.0.0.1", -1)))
        .as("the routers' shared picked port (Vert.x's negative port)")
        .isTrue();
    assertThat(t.mayBeRouter(at("127.0.0.1", 9901))).isFalse();
    assertThat(t.mayBeRouter(at("127.0.0.1", 0).setSsl(true))).as("no TLS listener").isFalse();
  }
}
