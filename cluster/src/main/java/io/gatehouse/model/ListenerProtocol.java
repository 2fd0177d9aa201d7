package io.gatehouse.model;

/**
 * The protocol of a listener socket. An HTTPS socket also passes TLS through by SNI name, as the
 * node's own HTTPS listener does.
 */
public enum ListenerProtocol {
  HTTP,
  HTTPS
}
