package io.gatehouse.policy;

import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * What filters keep on a client connection across its requests: the last client-certificate
 * verdict, made once per TLS session and route rather than once per request. The proxy's connection
 * state extends it, so a connection carries it without another object. Touched only on the
 * connection's event loop.
 */
public class ConnectionMemo {
  /** The last check run on this connection; the verdict is reused only for the same check. */
  @Nullable ClientCertificateCheck certCheck;

  ClientCertificateCheck.@Nullable Result certResult;

  /** The session the verdict was made on: a renegotiation makes a new one. */
  @Nullable SSLSession certSession;
}
