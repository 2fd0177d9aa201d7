package io.gatehouse.upstream;

import io.gatehouse.model.Endpoint;

/**
 * Which endpoints may take new requests, node-wide: neither ejected by outlier detection (this
 * node's verdict or one shared by another node) nor failing active health checks. Asked on the
 * event loop for every pick, so {@link #version()} must be one volatile read: a balancer recomputes
 * its available endpoints only when the version moved, never per request.
 */
public interface Availability {
  /** Every endpoint is available, always (no health checks, no outlier detection). */
  Availability ALL =
      new Availability() {
        @Override
        public long version() {
          return 0;
        }

        @Override
        public boolean available(Endpoint endpoint) {
          return true;
        }
      };

  /** Moves on every change of any endpoint's availability. */
  long version();

  /** Whether {@code endpoint} (by host and port; its weight is ignored) may take new requests. */
  boolean available(Endpoint endpoint);
}
