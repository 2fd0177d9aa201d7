package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;

/**
 * The same cases on OpenSSL (BoringSSL from netty-tcnative): proves the wrapped key manager is
 * called per handshake with the SNI name there too. The linux-x86_64 native library is a
 * dependency, so the engine must load here.
 */
class SniOpenSslEngineIT extends SniServerITBase {
  @BeforeAll
  static void openSslLoads() {
    assertThat(TlsServerOptions.selectEngine(true)).isEqualTo(TlsServerOptions.Engine.OPENSSL);
  }

  @Override
  TlsServerOptions.Engine engine() {
    return TlsServerOptions.Engine.OPENSSL;
  }
}
