package io.gatehouse.admin.translate;

import io.gatehouse.model.Endpoint;

/** {@code HOST:PORT} and {@code [IPv6]:PORT} endpoint addresses. */
public final class Addresses {
  private Addresses() {}

  /** The endpoint, or null when {@code address} is not one. */
  public static Endpoint parse(String address, int weight) {
    if (address == null) {
      return null;
    }
    String host;
    String port;
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 2 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
        return null;
      }
      host = address.substring(1, close);
      port = address.substring(close + 2);
    } else {
      int colon = address.lastIndexOf(':');
      if (colon < 1 || address.indexOf(':') != colon) {
        return null;
      }
      host = address.substring(0, colon);
      port = address.substring(colon + 1);
    }
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int p = Integer.parseInt(port);
    if (p < 1 || p > 65535) {
      return null;
    }
    return new Endpoint(host, p, weight);
  }
}
