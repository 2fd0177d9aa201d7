package io.gatehouse.accesslog;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.observe.ExchangeView;
import io.vertx.core.MultiMap;
import org.jspecify.annotations.Nullable;

/** A finished exchange with settable values, for the observer's unit tests. */
final class FakeView implements ExchangeView {
  String method = "GET";
  @Nullable String host = "shop.test";
  String path = "/";
  int status = 200;
  int upstreamStatus = 200;
  @Nullable String routeId = "default/cli/shop";
  String requestId = "req-1";
  @Nullable String traceId;
  final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
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
    return "HTTP/1.1";
  }

  @Override
  public boolean tls() {
    return false;
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
    return 2;
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
    return "default";
  }

  @Override
  public @Nullable EndpointsKey backend() {
    return null;
  }

  @Override
  public @Nullable String endpoint() {
    return "127.0.0.1:8080";
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public @Nullable String client() {
    return "127.0.0.1";
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
  public int upstreamStatus() {
    return upstreamStatus;
  }

  @Override
  public int attempts() {
    return 1;
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
    return null;
  }

  @Override
  public void observation(@Nullable Object value) {}
}
