package io.gatehouse.proxy;

import io.gatehouse.encoding.EncoderPool;
import io.gatehouse.model.Endpoint;
import io.gatehouse.upstream.BackendLimits;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.UpstreamClients;
import io.vertx.core.Vertx;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything an exchange gets from its event loop, and the only thing besides the loop's {@link
 * LoopState} (the snapshot it serves, split and balancer state): an exchange never sees the
 * verticle, so the two do not call each other in a loop. One per {@link RouterVerticle}; touched
 * only on its event loop.
 */
final class LoopServices {
  private final RouterSettings settings;
  private final Vertx vertx;
  private final UpstreamClients clients;
  private final Balancer defaultBalancer;
  private final Balancer errorBalancer;
  private final LiveExchanges live;
  private final Connections connections;
  private final EncoderPool encoders = new EncoderPool();
  private final BackendLimits.Local backendLimits;
  private @Nullable String localPortText;
  private @Nullable String httpsPortText;

  LoopServices(
      RouterSettings settings,
      Vertx vertx,
      UpstreamClients clients,
      LiveExchanges live,
      Connections connections) {
    this.settings = settings;
    this.vertx = vertx;
    this.clients = clients;
    this.defaultBalancer =
        Balancer.fixed(
            settings.defaultBackend().endpoints(),
            settings.defaultBackend().effectivePolicy().loadBalancing(),
            settings.balancing());
    List<Endpoint> errors = settings.errorPages().upstream();
    this.errorBalancer = errors.isEmpty() ? Balancer.EMPTY : new Balancer(errors);
    this.live = live;
    this.connections = connections;
    this.backendLimits = settings.backendLimits().local();
  }

  /** The listener on {@code port} is bound (the HTTPS one when {@code tls}). */
  void listening(boolean tls, int port) {
    if (tls) {
      httpsPortText = Integer.toString(port);
    } else {
      localPortText = Integer.toString(port);
    }
  }

  /** The HTTPS port redirects name: the configured public one, else the bound one. */
  @Nullable String redirectPortText() {
    int configured = settings.tls() == null ? 0 : settings.tls().redirectPort();
    return configured > 0 ? Integer.toString(configured) : httpsPortText;
  }

  /** The bound port of the listener an exchange came in on, as X-Forwarded-Port text. */
  @Nullable String localPortText(boolean tls) {
    return tls ? httpsPortText : localPortText;
  }

  RouterSettings settings() {
    return settings;
  }

  Vertx vertx() {
    return vertx;
  }

  UpstreamClients clients() {
    return clients;
  }

  Balancer defaultBalancer() {
    return defaultBalancer;
  }

  /** The node's error backend ({@link Balancer#EMPTY} for none). */
  Balancer errorBalancer() {
    return errorBalancer;
  }

  LiveExchanges live() {
    return live;
  }

  Connections connections() {
    return connections;
  }

  /** The node's circuit breakers, by endpoint-index slot. */
  BackendLimits.Local backendLimits() {
    return backendLimits;
  }

  /** This loop's response encoders (gzip kept between responses); closed when the loop stops. */
  EncoderPool encoders() {
    return encoders;
  }
}
