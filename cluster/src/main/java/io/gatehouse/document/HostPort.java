package io.gatehouse.document;

import io.gatehouse.model.Endpoint;
import java.util.Optional;

/**
 * Parses {@code host:port} and {@code [v6]:port} as written in route documents, flags and the node
 * configuration; the form's text is {@link Forms#HOST_PORT}.
 */
public final class HostPort {
  private HostPort() {}

  /** The endpoint at weight {@code weight}; empty when {@code raw} is not HOST:PORT. */
  public static Optional<Endpoint> parse(String raw, int weight) {
    if (raw == null) {
      return Optional.empty();
    }
    String s = raw.trim();
    String host;
    String port;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 2 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
        return Optional.empty();
      }
      host = s.substring(1, close);
      port = s.substring(close + 2);
    } else {
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || s.indexOf(':') != colon) {
        return Optional.empty();
      }
      host = s.substring(0, colon);
      port = s.substring(colon + 1);
    }
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    int p = Integer.parseInt(port);
    if (p < 1 || p > 65535) {
      return Optional.empty();
    }
    return Optional.of(new Endpoint(host, p, weight));
  }
}
