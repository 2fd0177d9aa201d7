package io.gatehouse.tls;

import io.gatehouse.node.NodeConfig;
import org.junit.jupiter.api.BeforeAll;

/** Client certificates per host with OpenSSL (BoringSSL from netty-tcnative). */
class ClientCertificatesOpenSslEngineIT extends ClientCertificatesITBase {
  @BeforeAll
  static void startNode() throws Exception {
    start(NodeConfig.Tls.Engine.OPENSSL);
  }

  @Override
  NodeConfig.Tls.Engine engine() {
    return NodeConfig.Tls.Engine.OPENSSL;
  }
}
