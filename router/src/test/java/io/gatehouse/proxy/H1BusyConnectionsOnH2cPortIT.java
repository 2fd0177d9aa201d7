package io.gatehouse.proxy;

import io.gatehouse.node.NodeConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * {@link H1BusyConnectionsIT} against a plain listener that also accepts h2c ({@code
 * http2.cleartext}): there Vert.x's h2c upgrade handler sits in the HTTP/1.x pipeline while the
 * first request is read, and the connection is reported only once that request's head is decoded.
 */
@Timeout(180)
class H1BusyConnectionsOnH2cPortIT extends H1BusyConnectionsIT {
  @BeforeAll
  static void start() throws Exception {
    start(c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)));
  }
}
