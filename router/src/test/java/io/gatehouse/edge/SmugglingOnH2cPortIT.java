package io.gatehouse.edge;

import static io.gatehouse.testing.NodeFixture.route;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SmugglingIT}'s whole corpus against a plain listener that also accepts h2c ({@code
 * http2.cleartext}). There Vert.x decides between HTTP/1 and h2c on the first bytes, and its own
 * decoder used to read each connection's first request, which is where every vector is sent: the
 * answers must be those of a plain HTTP/1 listener.
 */
@Timeout(120)
class SmugglingOnH2cPortIT extends SmugglingIT {
  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = new RecordingUpstream(vertx);
    other = new RecordingUpstream(vertx);
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)),
            route("a", "a.example", up.address()),
            route("b", "b.example", other.address()));
  }
}
