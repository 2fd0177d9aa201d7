package io.gatehouse.testing;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.observe.ExchangeView;
import io.vertx.core.MultiMap;
import org.jspecify.annotations.Nullable;

/**
 * An exchange as the proxy shows its observers, with every value a field a test sets: the one fake
 * of {@link ExchangeView} for the observers' unit tests (subclasses set their defaults).
 */
public class FakeExchangeView implements ExchangeView {
  public String method = "GET";
  public @Nullable String host = "shop.example";
  public String path = "/";
  public String protocol = "HTTP/1.1";
  public boolean tls;
  public int status;
  public int upstreamStatus;
  public long bytesIn;
  public long bytesOut;
  public long startNanos = System.nanoTime();
  public @Nullable String routeId;
  public @Nullable String tenant;
  public @Nullable EndpointsKey backend;
  public @Nullable String endpoint;
  public String requestId = "req-1";
  public @Nullable String client = "192.0.2.7";
  public @Nullable String overflow;
  public final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
  public int attempts;
  public @Nullable String traceId;
  public @Nullable Object observation;

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
  public int upstreamStatus() {
    return upstreamStatus;
  }

  @Override
  public long bytesIn() {
    return bytesIn;
  }

  @Override
  public long bytesOut() {
    return bytesOut;
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
    return backend;
  }

  @Override
  public @Nullable String endpoint() {
    return endpoint;
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public @Nullable String client() {
    return client;
  }

  @Override
  public @Nullable String overflow() {
    return overflow;
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
