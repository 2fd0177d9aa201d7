package io.gatehouse.model;

/** The protocol spoken to a backend's endpoints. */
public enum UpstreamProtocol {
  /** HTTP/1.1, over TLS when the backend has {@code tls}. */
  HTTP1,
  /** HTTP/2 over cleartext with prior knowledge. */
  H2C,
  /** HTTP/2 over TLS, negotiated with ALPN; the backend needs {@code tls}. */
  H2
}
