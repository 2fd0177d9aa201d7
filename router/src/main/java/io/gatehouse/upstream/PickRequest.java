package io.gatehouse.upstream;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a balancer may read of the request it picks for: the key of a consistent hash ({@code
 * HashOn}) and the affinity cookie. Implemented by the exchange; a balancer asks only for what its
 * policy names, so a round-robin pick reads nothing.
 */
public interface PickRequest {
  /** The first value of the request header {@code lowerCaseName}, or null. */
  @Nullable String header(String lowerCaseName);

  /** The first value of the query parameter {@code name}, or null. */
  @Nullable String queryParam(String name);

  /** The request's {@code Cookie} fields, in order. */
  List<String> cookieFields();

  /** The client's address: the connection's, or the one a trusted proxy forwarded. */
  String clientAddress();
}
