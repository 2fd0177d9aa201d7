package io.gatehouse.model;

import java.util.Objects;

/** One upstream address. Weight 0 keeps the endpoint configured but sends it no new requests. */
public record Endpoint(String host, int port, int weight) {
  public static final int DEFAULT_WEIGHT = 1;

  public Endpoint {
    Objects.requireNonNull(host, "host");
  }

  public static Endpoint of(String host, int port) {
    return new Endpoint(host, port, DEFAULT_WEIGHT);
  }

  public String authority() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
