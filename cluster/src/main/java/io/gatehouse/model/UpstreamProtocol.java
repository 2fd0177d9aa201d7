package io.gatehouse.model;

/** The protocol spoken to a backend's endpoints. */
public enum UpstreamProtocol {
  HTTP1,
  /** HTTP/2 over cleartext with prior knowledge. */
  H2C
}
