package io.gatehouse.access;

import io.gatehouse.policy.PasswordChecks;
import io.gatehouse.policy.ForwardAuthService;
import io.gatehouse.policy.PolicyServices;
import io.vertx.core.Vertx;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The node's {@link PolicyServices}: one per node, made by the node before its first snapshot and
 * closed when it stops. Each service is created on first use, so a node without access policies
 * opens no client and starts no timer.
 */
public final class AccessServices implements PolicyServices, AutoCloseable {
  private final Vertx vertx;
  private @Nullable HashChecks hashChecks;

  public AccessServices(Vertx vertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  Vertx vertx() {
    return vertx;
  }

  /** The forward-auth client; made on the first route that needs it. */
  private @Nullable ForwardAuthClient forwardAuth;

  @Override
  public synchronized PasswordChecks passwordChecks() {
    if (hashChecks == null) {
      hashChecks = HashChecks.forNode();
    }
    return hashChecks;
  }

  @Override
  public synchronized ForwardAuthService forwardAuth() {
    if (forwardAuth == null) {
      forwardAuth = new ForwardAuthClient(vertx);
    }
    return forwardAuth;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (hashChecks != null) {
        hashChecks.close();
      }
      if (forwardAuth != null) {
        forwardAuth.close();
      }
    }
  }
}
