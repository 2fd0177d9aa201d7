package io.gatehouse.tls;

/** SNI, renewal and protocol limits on the JDK engine. */
class SniJdkEngineIT extends SniServerITBase {
  @Override
  TlsServerOptions.Engine engine() {
    return TlsServerOptions.Engine.JDK;
  }
}
