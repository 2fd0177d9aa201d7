package io.gatehouse.trace;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.observe.ExchangeView;
import io.vertx.core.MultiMap;
import org.jspecify.annotations.Nullable;

/** An exchange as the proxy shows it, with fields a test sets. */
final class FakeExchange implements ExchangeView {
  String method = "GET";
  @Nullable String host = "shop.example";
  String path = "/cart";
  String protocol = "HTTP/1.1";
  boolean tls;
  int status;
  @Nullable String routeId;
  @Nullable String tenant;
  @Nullable String endpoint;
  int attempts;
  final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
  @Nullable String traceId;
  @Nullable Object observation;
  final long startNanos = System.nanoTime();

  @Override
  public String method() {
    return method;
  }

  @Override
  public @Nullable String host() {
    return host;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public boolean tls() {
    return tls;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public long bytesIn() {
    return 0;
  }

  @Override
  public long bytesOut() {
    return 0;
  }

  @Override
  public long startNanos() {
    return startNanos;
  }

  @Override
  public @Nullable String routeId() {
    return routeId;
  }

  @Override
  public @Nullable String tenant() {
    return tenant;
  }

  @Override
  public @Nullable EndpointsKey backend() {
    return null;
  }

  @Override
  public @Nullable String endpoint() {
    return endpoint;
  }

  @Override
  public String requestId() {
    return "req-1";
  }

  @Override
  public @Nullable String client() {
    return "192.0.2.7";
  }

  @Override
  public @Nullable String overflow() {
    return null;
  }

  @Override
  public MultiMap requestHeaders() {
    return headers;
  }

  @Override
  public int attempts() {
    return attempts;
  }

  @Override
  public @Nullable String traceId() {
    return traceId;
  }

  @Override
  public void traceId(@Nullable String value) {
    traceId = value;
  }

  @Override
  public @Nullable Object observation() {
    return observation;
  }

  @Override
  public void observation(@Nullable Object value) {
    observation = value;
  }
}
