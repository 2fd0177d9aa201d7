package io.gatehouse.tls;

import io.gatehouse.node.NodeConfig;
import org.junit.jupiter.api.BeforeAll;

/** Client certificates per host with the JDK engine. */
class ClientCertificatesJdkEngineIT extends ClientCertificatesITBase {
  @BeforeAll
  static void startNode() throws Exception {
    start(NodeConfig.Tls.Engine.JDK);
  }

  @Override
  NodeConfig.Tls.Engine engine() {
    return NodeConfig.Tls.Engine.JDK;
  }
}
