package io.gatehouse.model;

import java.util.Locale;

/**
 * The PROXY protocol header (HAProxy's specification) a backend's endpoints get first on each
 * connection, naming the client: HAProxy's {@code send-proxy} / {@code send-proxy-v2}, Envoy's
 * upstream {@code proxy_protocol} transport socket, nginx's {@code proxy_protocol on} in a stream
 * block.
 */
public enum ProxyProtocolVersion {
  /** The text form: {@code PROXY TCP4 src dst sport dport\r\n}. */
  V1,
  /** The binary form. */
  V2;

  /** The document's form: {@code v1} or {@code v2}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
