package io.gatehouse.health;

import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.backend.HealthCheck;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint to probe, and how: two backends that list the same endpoint with the same check and
 * transport share one prober.
 *
 * @param protocol the backend's protocol (a gRPC check needs HTTP/2; an HTTP check uses it too)
 * @param tls the backend's upstream TLS, or null for plain TCP
 * @param proxyProtocol the PROXY header the backend's connections start with, or null: a TCP probe
 *     sends the header of a check ({@code LOCAL}) before it closes
 */
record ProbeTarget(
    String host,
    int port,
    HealthCheck check,
    UpstreamProtocol protocol,
    @Nullable UpstreamTls tls,
    @Nullable ProxyProtocolVersion proxyProtocol) {
  ProbeTarget(
      String host,
      int port,
      HealthCheck check,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls) {
    this(host, port, check, protocol, tls, null);
  }

  String authority() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
